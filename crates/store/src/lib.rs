//! Embedded SQLite store with a tamper-evident audit log.
