package version

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestLinkerValueArrives(t *testing.T) {
	dir := t.TempDir()
	main := filepath.Join(dir, "main.go")
	src := "package main\nimport (\"fmt\"; \"github.com/gamegold/gg/lib/version\")\nfunc main(){ fmt.Print(version.String()) }\n"
	if err := os.WriteFile(main, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "v")
	build := exec.Command("go", "build", "-o", bin, "-ldflags", "-X github.com/gamegold/gg/lib/version.Version=v9.9.9-test", main)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin).Output()
	if err != nil || strings.TrimSpace(string(out)) != "v9.9.9-test" {
		t.Fatalf("got %q, %v", out, err)
	}
}

func TestDefault(t *testing.T) {
	if String() == "" {
		t.Fatal("empty version")
	}
}
