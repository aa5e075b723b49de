package pgtest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestClusterStartsServesAndStops: a cluster started for a test takes a
// table, a row and a query over 127.0.0.1 with pgx (the driver the hub's
// PostgreSQL store is to use), and after Stop nothing listens on its port
// and its folder is gone.
func TestClusterStartsServesAndStops(t *testing.T) {
	c := Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.URL)
	if err != nil {
		t.Fatalf("connect %s: %v", c.URL, err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE dossiers (id text PRIMARY KEY, applicant text NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "INSERT INTO dossiers VALUES ($1, $2)", "600900A-261125-0001", "Rơ Mah H'Bích"); err != nil {
		t.Fatal(err)
	}
	var name, enc string
	if err := conn.QueryRow(ctx, "SELECT applicant, current_setting('server_encoding') FROM dossiers WHERE id = $1", "600900A-261125-0001").Scan(&name, &enc); err != nil {
		t.Fatal(err)
	}
	if name != "Rơ Mah H'Bích" || enc != "UTF8" {
		t.Fatalf("read back %q in %s", name, enc)
	}
	conn.Close(ctx)
	if !c.Reachable() {
		t.Fatal("the running cluster does not accept connections")
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if c.Reachable() {
		t.Errorf("port %d still accepts connections after Stop", c.Port)
	}
	if _, err := os.Stat(c.Dir); !os.IsNotExist(err) {
		t.Errorf("the cluster's folder %s is still there: %v", c.Dir, err)
	}
	if err := c.Stop(); err != nil {
		t.Errorf("a second Stop: %v", err)
	}
}
