"""A child process for the kill -9 test: appends audit rows, printing each seq once it
is acknowledged (committed), until the parent kills it."""

import sys
import time

from fleet.dispatch.audit import AuditLog
from fleet.dispatch.chain import AuditEntry


def main(path: str) -> None:
    with AuditLog(path) as log:
        i = 0
        while True:
            batch = [log.submit([AuditEntry("test.event", time.time(), "writer", f"I{i % 7}",
                                            None, {"i": i + k, "text": "负载 ✓"})])
                     for k in range(8)]  # several in flight: they share a commit
            for future in batch:
                for record in future.result():
                    print(record.seq, flush=True)
            i += 8


if __name__ == "__main__":
    main(sys.argv[1])
