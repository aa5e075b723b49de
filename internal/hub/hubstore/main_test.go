package hubstore_test

import (
	"os"
	"testing"

	"postdesk/internal/hub/hubtest"
)

// TestMain: one PostgreSQL cluster for the package when the hub's tests
// run on PostgreSQL (hubtest.StoreEnv).
func TestMain(m *testing.M) { os.Exit(hubtest.Main(m)) }
