package assets

import _ "embed"

// The sample catalog shipped with PostDesk (see catalog/SOURCES.md for what is
// real and what is illustrative, and internal/catalog/FORMAT.md for the
// columns). The store loads it into an empty database; a supervisor replaces
// it by importing the province's own catalog.
var (
	//go:embed catalog/procedures.csv
	CatalogProcedures []byte

	//go:embed catalog/agencies.csv
	CatalogAgencies []byte

	// CatalogCommunes is the intake form's commune list (name,type,province,note).
	//go:embed catalog/communes.csv
	CatalogCommunes []byte
)
