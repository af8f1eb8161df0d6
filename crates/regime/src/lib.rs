//! The DPRK sanctions regime as dated, cited rules.
