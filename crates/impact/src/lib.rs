//! Revenue impact of the measures, member-state implementation reporting.
