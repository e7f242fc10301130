package node

import (
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/store"
)

// orderDB is a real database that records the order of the fsync calls
// made on it.
type orderDB struct {
	*store.DB
	calls []string
}

func (d *orderDB) Sync() error {
	d.calls = append(d.calls, "sync")
	return d.DB.Sync()
}

func (d *orderDB) SetNoSync(on bool) {
	if on {
		d.calls = append(d.calls, "nosync")
	} else {
		d.calls = append(d.calls, "fsync-on")
	}
	d.DB.SetNoSync(on)
}

// TestP2PIBDBulkEnd: leaving bulk mode turns fsync on commit back on
// before the final Sync, so no commit can slip in between and count as
// durable without being fsynced.
func TestP2PIBDBulkEnd(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "chain.db"), store.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	od := &orderDB{DB: db}
	od.SetNoSync(true)
	b := &ibdBulk{db: od, log: slog.New(slog.NewTextHandler(io.Discard, nil)), on: true}
	b.end()
	if db.NoSync() {
		t.Fatal("fsync still off after the download ended")
	}
	on, last := -1, -1
	for i, c := range od.calls {
		switch c {
		case "fsync-on":
			on = i
		case "sync":
			last = i
		}
	}
	if on < 0 || last < on {
		t.Fatalf("calls %v: want fsync turned on, then a final Sync", od.calls)
	}
}
