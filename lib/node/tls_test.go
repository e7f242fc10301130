package node

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gamegold/gg/lib/chaincfg"
)

// TestPublicTLSSelfSigned: --http-tls-selfsigned generates a pair into
// the datadir on the first start (key 0600) and serves the public
// listener over TLS with it: a client trusting that certificate gets the
// wallet page, a plain HTTP request does not; the next start reuses it.
func TestPublicTLSSelfSigned(t *testing.T) {
	dir := t.TempDir()
	tlsOn := func(c *Config) { c.PublicListen = "127.0.0.1:0"; c.HTTPTLSSelfSigned = true }
	n := startWalletNode(t, dir, tlsOn)
	certPEM, err := os.ReadFile(filepath.Join(dir, TLSCertFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, TLSKeyFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	blk, _ := pem.Decode(certPEM)
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if err := cert.VerifyHostname("127.0.0.1"); err != nil {
		t.Errorf("certificate for 127.0.0.1: %v", err)
	}
	if err := cert.VerifyHostname("localhost"); err != nil {
		t.Errorf("certificate for localhost: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	addr := func() string {
		b, err := os.ReadFile(filepath.Join(dir, PublicAddrFile))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	resp, err := client.Get("https://" + addr() + "/wallet/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil || !strings.Contains(string(body), "gg wallet") {
		t.Fatalf("https /wallet/: %d %.200s", resp.StatusCode, body)
	}
	if Fingerprint(resp.TLS.PeerCertificates[0].Raw) != Fingerprint(cert.Raw) || len(Fingerprint(cert.Raw)) != 95 {
		t.Errorf("fingerprint %s", Fingerprint(cert.Raw))
	}
	if resp, err := http.Get("http://" + addr() + "/wallet/"); err == nil {
		if resp.StatusCode == http.StatusOK {
			t.Error("plain HTTP answered 200 on the TLS listener")
		}
		resp.Body.Close()
	}
	n.node.Close()

	n = startWalletNode(t, dir, tlsOn)
	defer n.node.Close()
	again, _ := os.ReadFile(filepath.Join(dir, TLSCertFile))
	if string(again) != string(certPEM) {
		t.Error("the second start made another certificate")
	}
}

// TestPublicTLSConfigErrors: TLS flags that do not go together are
// refused before the node starts.
func TestPublicTLSConfigErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"cert without key", Config{PublicListen: "127.0.0.1:0", HTTPTLSCert: "a.crt"}, "go together"},
		{"both kinds", Config{PublicListen: "127.0.0.1:0", HTTPTLSCert: "a.crt", HTTPTLSKey: "a.key", HTTPTLSSelfSigned: true}, "exclude"},
		{"no public listener", Config{HTTPTLSSelfSigned: true}, "--public-listen"},
	} {
		c.cfg.Params, c.cfg.DataDir = chaincfg.RegTestParams, t.TempDir()
		if n, err := New(c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			if n != nil {
				n.Close()
			}
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	cfg := Config{Params: chaincfg.RegTestParams, DataDir: t.TempDir(), RPCListen: "127.0.0.1:0", PublicListen: "127.0.0.1:0",
		HTTPTLSCert: filepath.Join(t.TempDir(), "missing.crt"), HTTPTLSKey: "missing.key"}
	if n, err := New(cfg); err == nil {
		n.Close()
		t.Error("a missing certificate file: no error")
	}
}
