package hubstore

// What the external tests of this package (package hubstore_test, which
// can use internal/hub/hubtest) read of its insides.
var NormalizeOutcome = normalizeOutcome
