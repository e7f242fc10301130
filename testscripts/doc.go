// Package testscripts holds the end-to-end tests of the toolkit: txtar
// scripts that run the real binaries, and the dependency test that enforces
// the package layering of docs/architecture.md §4.
package testscripts
