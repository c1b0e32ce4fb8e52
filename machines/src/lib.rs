//! Board models and devices (system mode); boards compose the runtime, never the other way round.
