"""The console's screens: the main view and its dialogs (each a ModalScreen that
dismisses with its answer)."""
