//! Transaction screening: prohibited / review / permitted, each finding cited.
