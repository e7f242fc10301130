// Package atomicfile replaces files so that no reader and no crash sees
// a partial one: the data goes to a temporary file beside the target,
// which is synced, renamed over the target, and the directory synced so
// that the rename itself survives a power cut.
package atomicfile
