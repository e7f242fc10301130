package node

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Files of the generated self-signed pair in the datadir
// (Config.HTTPTLSSelfSigned).
const (
	TLSCertFile = "http-tls.crt"
	TLSKeyFile  = "http-tls.key"
)

// checkTLS checks the TLS fields of cfg: a certificate and its key
// together, or the generated pair, and only with the public listener.
func (cfg *Config) checkTLS() error {
	switch {
	case (cfg.HTTPTLSCert == "") != (cfg.HTTPTLSKey == ""):
		return errors.New("--http-tls-cert and --http-tls-key go together")
	case cfg.HTTPTLSSelfSigned && cfg.HTTPTLSCert != "":
		return errors.New("--http-tls-selfsigned and --http-tls-cert exclude each other")
	case (cfg.HTTPTLSSelfSigned || cfg.HTTPTLSCert != "") && cfg.PublicListen == "":
		return errors.New("TLS serves the public listener: --http-tls-* need --public-listen")
	}
	return nil
}

// publicTLS returns the public listener's TLS configuration, nil without
// TLS: the operator's pair, or the datadir's self-signed one, generated
// on the first start (its SHA-256 fingerprint logged at every start, to
// check what a browser shows before accepting it).
func (n *Node) publicTLS() (*tls.Config, error) {
	cert, key := n.cfg.HTTPTLSCert, n.cfg.HTTPTLSKey
	if n.cfg.HTTPTLSSelfSigned {
		cert, key = filepath.Join(n.cfg.DataDir, TLSCertFile), filepath.Join(n.cfg.DataDir, TLSKeyFile)
		if _, err := os.Stat(cert); errors.Is(err, os.ErrNotExist) {
			if err := writeSelfSigned(cert, key, n.cfg.PublicListen, time.Now()); err != nil {
				return nil, fmt.Errorf("self-signed certificate: %w", err)
			}
			n.log.Info("generated a self-signed TLS certificate", "cert", cert)
		}
	}
	if cert == "" {
		return nil, nil
	}
	pair, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		return nil, fmt.Errorf("tls certificate: %w", err)
	}
	n.log.Info("public listener TLS", "cert", cert, "sha256", Fingerprint(pair.Certificate[0]))
	return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, nil
}

// Fingerprint is a certificate's SHA-256 as browsers show it: upper-case
// hex bytes joined by colons.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// writeSelfSigned writes a self-signed ECDSA P-256 certificate valid for
// ten years, for localhost, the loopback addresses, the listen address,
// the host name and every address of the machine's interfaces, and its
// key (mode 0600).
func writeSelfSigned(certPath, keyPath, listen string, now time.Time) error {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: "gg-node", Organization: []string{"GameGold node (self-signed)"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(10, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}}
	if h, err := os.Hostname(); err == nil && h != "" {
		tmpl.DNSNames = append(tmpl.DNSNames, h)
	}
	if host, _, err := net.SplitHostPort(listen); err == nil && host != "" {
		if ip := net.ParseIP(host); ip == nil {
			tmpl.DNSNames = append(tmpl.DNSNames, host)
		} else if !ip.IsUnspecified() {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		}
	}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ipn.IP)
			}
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return err
	}
	if err := os.WriteFile(keyPath+".tmp", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(certPath+".tmp", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return err
	}
	if err := os.Rename(keyPath+".tmp", keyPath); err != nil {
		return err
	}
	return os.Rename(certPath+".tmp", certPath)
}
