package store

import (
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func tempPath(t *testing.T) string { return filepath.Join(t.TempDir(), "test.db") }

func TestOpen(t *testing.T) {
	path := tempPath(t)
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if db.Path() != path {
		t.Fatalf("Path = %q, want %q", db.Path(), path)
	}
	v, err := db.SchemaVersion()
	if err != nil || v != uint32(len(Migrations)) {
		t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, len(Migrations))
	}
	err = db.Update(func(tx *Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("k"))
		if err != nil {
			return err
		}
		return b.Put([]byte("a"), []byte("1"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got string
	if err := db.View(func(tx *Tx) error {
		got = string(tx.Bucket([]byte("k")).Get([]byte("a")))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got != "1" {
		t.Fatalf("value after reopen = %q, want 1", got)
	}
}

func TestOpenErrors(t *testing.T) {
	t.Run("locked", func(t *testing.T) {
		path := tempPath(t)
		db, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		start := time.Now()
		_, err = Open(path, Options{Timeout: 50 * time.Millisecond})
		if !errors.Is(err, ErrLocked) {
			t.Fatalf("second open: err = %v, want ErrLocked", err)
		}
		if time.Since(start) > 30*time.Second {
			t.Fatal("second open did not honour its timeout")
		}
		// Read-only opens wait for the same lock.
		if _, err = Open(path, Options{Timeout: 50 * time.Millisecond, ReadOnly: true}); !errors.Is(err, ErrLocked) {
			t.Fatalf("read-only open: err = %v, want ErrLocked", err)
		}
	})
	t.Run("directory", func(t *testing.T) {
		if _, err := Open(t.TempDir(), Options{}); err == nil || errors.Is(err, ErrLocked) {
			t.Fatalf("open of a directory: err = %v, want a non-lock error", err)
		}
	})
	t.Run("schema too new", func(t *testing.T) {
		path := tempPath(t)
		extra := append(append([]Migration(nil), Migrations...), Migration{Name: "x", Apply: func(*Tx) error { return nil }})
		db, err := Open(path, Options{Migrations: extra})
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		if _, err := Open(path, Options{}); !errors.Is(err, ErrSchemaTooNew) {
			t.Fatalf("err = %v, want ErrSchemaTooNew", err)
		}
	})
	t.Run("read-only needs migration", func(t *testing.T) {
		path := tempPath(t)
		db, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		extra := append(append([]Migration(nil), Migrations...), Migration{Name: "x", Apply: func(*Tx) error { return nil }})
		if _, err := Open(path, Options{ReadOnly: true, Migrations: extra}); !errors.Is(err, ErrReadOnlyMigration) {
			t.Fatalf("err = %v, want ErrReadOnlyMigration", err)
		}
	})
	t.Run("failing migration rolls back", func(t *testing.T) {
		path := tempPath(t)
		boom := errors.New("boom")
		migs := append(append([]Migration(nil), Migrations...), Migration{Name: "bad", Apply: func(tx *Tx) error {
			if _, err := tx.CreateBucketIfNotExists([]byte("half")); err != nil {
				return err
			}
			return boom
		}})
		if _, err := Open(path, Options{Migrations: migs}); !errors.Is(err, boom) {
			t.Fatalf("err = %v, want boom", err)
		}
		db, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		v, _ := db.SchemaVersion()
		if v != uint32(len(Migrations)) {
			t.Fatalf("version after failed migration = %d, want %d", v, len(Migrations))
		}
		db.View(func(tx *Tx) error {
			if tx.Bucket([]byte("half")) != nil {
				t.Error("failed migration's bucket survived")
			}
			return nil
		})
	})
}

func TestMigrations(t *testing.T) {
	path := tempPath(t)
	var order []string
	step := func(name string) Migration {
		return Migration{Name: name, Apply: func(tx *Tx) error {
			order = append(order, name)
			_, err := tx.CreateBucketIfNotExists([]byte(name))
			return err
		}}
	}
	migs := append(append([]Migration(nil), Migrations...), step("one"), step("two"))
	db, err := Open(path, Options{Migrations: migs})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	// Reopening runs nothing; adding a third runs only the third.
	migs = append(migs, step("three"))
	db, err = Open(path, Options{Migrations: migs[:len(migs)-1]})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(path, Options{Migrations: migs})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	want := []string{"one", "two", "three"}
	if len(order) != len(want) {
		t.Fatalf("ran %v, want %v", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("ran %v, want %v", order, want)
		}
	}
	v, _ := db.SchemaVersion()
	if int(v) != len(migs) {
		t.Fatalf("version = %d, want %d", v, len(migs))
	}
}

func TestNoSync(t *testing.T) {
	tests := []struct {
		name string
		opt  bool
		env  string
		want bool
	}{
		{"default syncs", false, "", false},
		{"option", true, "", true},
		{"env", false, "1", true},
		{"env other value", false, "0", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(NoSyncEnv, tc.env)
			db, err := Open(tempPath(t), Options{NoSync: tc.opt})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if db.NoSync() != tc.want {
				t.Fatalf("NoSync = %v, want %v", db.NoSync(), tc.want)
			}
			db.SetNoSync(!tc.want)
			if db.NoSync() == tc.want {
				t.Fatal("SetNoSync had no effect")
			}
			if err := db.Sync(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestSetNoSyncConcurrent(t *testing.T) {
	db, err := Open(tempPath(t), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 50 {
			db.SetNoSync(i%2 == 0)
			_ = db.NoSync()
		}
	}()
	for i := range 50 {
		if err := db.Update(func(tx *Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("c"))
			if err != nil {
				return err
			}
			return b.Put([]byte{byte(i)}, []byte{1})
		}); err != nil {
			t.Fatal(err)
		}
	}
	<-done
}
