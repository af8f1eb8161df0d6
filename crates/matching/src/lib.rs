//! Name screening: normalization, Korean romanization, candidate index, scoring.
