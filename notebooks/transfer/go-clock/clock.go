package main

import (
	"crypto/x509"
	_ "embed"
	"encoding/pem"
	"errors"
	"fmt"
	"time"
)

// chain.pem holds the certificate of clock.sizedrop.invalid and the issuing CA that signed
// it. The root above them is NOT embedded: it must come from the system's trust store, the
// way a company's own root CA is installed on its machines (company-root-ca.crt).
//
//go:embed chain.pem
var chainPEM []byte

// ServerName is the name the leaf certificate must carry.
const ServerName = "clock.sizedrop.invalid"

// VerifyAt is the moment the chain is checked at, so the answer does not change with the
// clock of the machine that runs it (the certificates are valid from 2026-12 to 2035).
var VerifyAt = time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)

// Converted is one instant shown in one named zone.
type Converted struct {
	Zone         string `json:"zone"`
	At           string `json:"at"`
	Local        string `json:"local"`
	Abbreviation string `json:"abbreviation"`
}

// Convert reads an RFC 3339 instant and shows it in the IANA zone named by zone.
func Convert(at, zone string) (Converted, error) {
	if zone == "" {
		return Converted{}, errors.New("missing query parameter zone")
	}
	instant, err := time.Parse(time.RFC3339, at)
	if err != nil {
		return Converted{}, errors.New("at must be an RFC 3339 time such as 2026-12-07T12:00:00Z")
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return Converted{}, fmt.Errorf("cannot load zone %s: %v", zone, err)
	}
	local := instant.In(loc)
	abbr, _ := local.Zone()
	return Converted{Zone: zone, At: instant.UTC().Format(time.RFC3339),
		Local: local.Format(time.RFC3339), Abbreviation: abbr}, nil
}

// Verified says who the chain was issued to and which root vouched for it.
type Verified struct {
	Chain string `json:"chain"`
	Leaf  string `json:"leaf"`
	Root  string `json:"root"`
}

// VerifyChain checks the embedded chain against roots (nil: the system's trust store).
func VerifyChain(roots *x509.CertPool) (Verified, error) {
	var certs []*x509.Certificate
	rest := chainPEM
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return Verified{}, fmt.Errorf("embedded chain: %v", err)
		}
		certs = append(certs, cert)
	}
	if len(certs) < 2 {
		return Verified{}, errors.New("embedded chain: want a leaf and an intermediate")
	}
	if roots == nil {
		system, err := x509.SystemCertPool()
		if err != nil {
			return Verified{}, fmt.Errorf("system trust store: %v", err)
		}
		roots = system
	}
	intermediates := x509.NewCertPool()
	for _, c := range certs[1:] {
		intermediates.AddCert(c)
	}
	chains, err := certs[0].Verify(x509.VerifyOptions{DNSName: ServerName, Roots: roots,
		Intermediates: intermediates, CurrentTime: VerifyAt})
	if err != nil {
		return Verified{}, err
	}
	top := chains[0][len(chains[0])-1]
	return Verified{Chain: "verified", Leaf: certs[0].Subject.CommonName,
		Root: top.Subject.CommonName}, nil
}
