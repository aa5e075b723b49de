package devicesync

import (
	"os"
	"testing"

	"postdesk/internal/hub/hubtest"
)

// TestMain stops the PostgreSQL cluster the hub's tests start when
// POSTDESK_TEST_HUB_DB=postgres (hubtest.Main), so none is left running.
func TestMain(m *testing.M) { os.Exit(hubtest.Main(m)) }
