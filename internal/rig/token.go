package rig

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Names the token issuer and a token-auth registry agree on.
const (
	tokenService = "wsbuild-rig-registry"
	tokenIssuer  = "wsbuild-rig-issuer"
)

// TokenIssuer is the token server of a namespaced registry, as Docker Hub,
// GitLab or Harbor run one: distribution's token authentication sends
// clients to it (an http.Handler, served beside the registry: see
// TokenRegistry), and it grants each user push and pull on the repositories
// under its own namespace (USER/...), pull on the other users'
// repositories (every namespace is public), and anonymous clients pull
// only. It signs JSON web tokens (ES256) with a key whose self-signed
// certificate the registry trusts.
type TokenIssuer struct {
	key      *ecdsa.PrivateKey
	certDER  []byte
	users    map[string]string // user -> password
	mu       sync.Mutex
	requests []TokenRequest
}

// TokenRequest is one token the issuer was asked for.
type TokenRequest struct {
	// User is who authenticated; "" for anonymous.
	User string
	// Scopes are the scopes asked for, as sent.
	Scopes []string
	// Refused says the credentials were wrong.
	Refused bool
}

// NewTokenIssuer returns a token issuer for users (name -> password), with
// a new signing key.
func NewTokenIssuer(users map[string]string) (*TokenIssuer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: tokenIssuer},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	return &TokenIssuer{key: key, certDER: der, users: users}, nil
}

// CertPEM is the certificate the registry verifies tokens with.
func (ti *TokenIssuer) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ti.certDER})
}

// Requests returns every token request so far.
func (ti *TokenIssuer) Requests() []TokenRequest {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	return slices.Clone(ti.requests)
}

// ServeHTTP answers a token request (distribution's token protocol, GET
// with basic authentication or the OAuth2 form POST).
func (ti *TokenIssuer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, password, hasAuth := r.BasicAuth()
	scopes := r.URL.Query()["scope"]
	if r.Method == http.MethodPost { // OAuth2 form, as some clients send
		_ = r.ParseForm()
		if u := r.PostForm.Get("username"); u != "" {
			user, password, hasAuth = u, r.PostForm.Get("password"), true
		}
		scopes = append(scopes, strings.Fields(r.PostForm.Get("scope"))...)
	}
	refused := hasAuth && (ti.users[user] == "" || ti.users[user] != password)
	ti.mu.Lock()
	ti.requests = append(ti.requests, TokenRequest{User: user, Scopes: scopes, Refused: refused})
	ti.mu.Unlock()
	if refused {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"errors":[{"code":"UNAUTHORIZED","message":"wrong user name or password"}]}`)
		return
	}
	if !hasAuth {
		user = ""
	}
	token, err := ti.sign(user, grant(user, scopes))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"token": token, "access_token": token, "expires_in": 300,
		"issued_at": time.Now().UTC().Format(time.RFC3339)})
}

// access is a JWT's grant on one resource.
type access struct {
	Type    string   `json:"type"`
	Name    string   `json:"name"`
	Actions []string `json:"actions"`
}

// grant gives user what the namespaced registry allows of the scopes
// asked for: push and pull under its own namespace, pull elsewhere.
func grant(user string, scopes []string) []access {
	var out []access
	for _, scope := range scopes {
		parts := strings.Split(scope, ":")
		if len(parts) != 3 || parts[0] != "repository" {
			continue
		}
		repo := parts[1]
		var actions []string
		for _, a := range strings.Split(parts[2], ",") {
			own := user != "" && strings.HasPrefix(repo, user+"/")
			if a == "pull" || (own && (a == "push" || a == "delete")) {
				actions = append(actions, a)
			}
		}
		out = append(out, access{Type: "repository", Name: repo, Actions: actions})
	}
	return out
}

// sign makes a token as distribution 2.8's token verifier reads it: an x5c
// header with the issuer's certificate, ES256 over the header and claims.
func (ti *TokenIssuer) sign(user string, grants []access) (string, error) {
	now := time.Now()
	header := map[string]any{"typ": "JWT", "alg": "ES256", "x5c": []string{base64.StdEncoding.EncodeToString(ti.certDER)}}
	claims := map[string]any{"iss": tokenIssuer, "sub": user, "aud": tokenService, "exp": now.Add(5 * time.Minute).Unix(),
		"nbf": now.Add(-time.Minute).Unix(), "iat": now.Unix(), "jti": fmt.Sprint(now.UnixNano()), "access": grants}
	enc := func(v any) (string, error) {
		b, err := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b), err
	}
	h, err := enc(header)
	if err != nil {
		return "", err
	}
	c, err := enc(claims)
	if err != nil {
		return "", err
	}
	signed := h + "." + c
	sum := sha256.Sum256([]byte(signed))
	r, s, err := ecdsa.Sign(rand.Reader, ti.key, sum[:])
	if err != nil {
		return "", err
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}
