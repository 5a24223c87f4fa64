"""Incident dispatch and the closed loop (issue 7; docs/dispatch.md).

Pure (no I/O, no asyncio), importable on their own:

* ``categories``: :class:`Category`, :class:`Requirement`, ``DEFAULT_CATEGORIES``
* ``places``: zone / key-site lookup (:func:`locate`), city extent, river distance
* ``intake``: :class:`Intake` checks a call before anything is recorded
* ``incident``: :class:`Incident`, :class:`Assignment`, :func:`apply` (the state machine)
* ``ranking``, ``recommend``: :class:`Recommender` (vectorised, explained)
* ``explain``: text of recommendations and incident timelines
* ``chain``: the audit's keyed hash chain, sealing and the check of one row
* ``anchor``, ``audit_check``: checkpoints of the head; the whole-file verdict
* ``reports``, ``report_render``: response-time reports, text and CSV
* ``cad``, ``cad_actions``: CAD payloads (new calls; incident actions and the feed)
* ``incident_doc``, ``cad_render``: incidents as JSON documents, and those as text

With I/O:

* ``audit``: :class:`AuditLog` (SQLite, WAL, synchronous=FULL, writer thread)
* ``audit_key``, ``anchor_file``, ``checkpoints``, ``audit_heads``: the audit key, the
  anchor files, when to anchor, the head handed to the broker (``cad_link``)
* ``center``: :class:`DispatchCenter`, composed by ``FleetService`` as ``svc.dispatch``
* ``actions``, ``supervisor``: command sequences per kind; the closed loop
* ``cad_link``, ``cad_ops``: the CAD interface over MQTT (calls, actions, change feed)

Its command line (``fleet incident|status|audit|report``) is in :mod:`fleet.cli`.

This package imports nothing at import time: ``fleet.config`` reads its settings
module while it is itself being imported.
"""
