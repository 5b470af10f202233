package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// jupyterPaths are the API endpoints that must need the token.
var jupyterPaths = []string{"/api/status", "/api/kernelspecs"}

// proveJupyter checks that Jupyter's API refuses requests without the token
// or with a wrong one, answers with it, and offers every named kernel.
func proveJupyter(ctx context.Context, o *options, port int, kernels []string) (string, error) {
	if o.jupyterToken == "" {
		return "", fatalf("no Jupyter token to try: set JUPYTER_TOKEN")
	}
	base := "http://" + net.JoinHostPort(o.host, strconv.Itoa(port))
	c := httpClient()
	// With the token first: until Jupyter answers, each attempt costs two
	// requests and no "Forbidden" lines in its log.
	code, _, err := get(ctx, c, base+"/api/status", o.jupyterToken)
	if err != nil {
		return "", err
	}
	if code != http.StatusOK {
		return "", fmt.Errorf("GET /api/status with the token answered %d, want 200", code)
	}
	code, body, err := get(ctx, c, base+"/api/kernelspecs", o.jupyterToken)
	if err != nil {
		return "", err
	}
	if code != http.StatusOK {
		return "", fmt.Errorf("GET /api/kernelspecs with the token answered %d, want 200", code)
	}
	var specs struct {
		Kernelspecs map[string]json.RawMessage `json:"kernelspecs"`
	}
	if err := json.Unmarshal(body, &specs); err != nil {
		return "", fmt.Errorf("reading /api/kernelspecs %q: %w", truncate(body), err)
	}
	offered := make([]string, 0, len(specs.Kernelspecs))
	for k := range specs.Kernelspecs {
		offered = append(offered, k)
	}
	sort.Strings(offered)
	var missing []string
	for _, k := range kernels {
		if _, ok := specs.Kernelspecs[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		// Kernel specs are files in the image: waiting adds none.
		return "", fatalf("kernels %s not offered (offered: %s)", strings.Join(missing, ", "), strings.Join(offered, ", "))
	}
	for _, p := range jupyterPaths {
		for _, tok := range []string{"", o.jupyterToken + "-wrong"} {
			code, _, err := get(ctx, c, base+p, tok)
			if err != nil {
				return "", err
			}
			switch {
			case code == http.StatusForbidden || code == http.StatusUnauthorized:
			case code >= 200 && code < 300:
				if tok == "" {
					return "", fatalf("GET %s without a token answered %d: the API is open to anyone", p, code)
				}
				return "", fatalf("GET %s with a wrong token answered %d: the token is not checked", p, code)
			default:
				return "", fmt.Errorf("GET %s without the token answered %d, want 403", p, code)
			}
		}
	}
	return fmt.Sprintf("API refuses no/wrong token (403), answers with the token; kernels: %s", strings.Join(offered, ", ")), nil
}

// httpClient is a client that never goes through a proxy and keeps no
// connections between attempts.
func httpClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// get fetches url, with "Authorization: token TOKEN" when token is set, and
// returns the status and up to 1 MiB of the body.
func get(ctx context.Context, c *http.Client, url, token string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, fmt.Errorf("GET %q: %w", url, err)
	}
	if token != "" {
		req.Header.Set("Authorization", "token "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, nil, fmt.Errorf("GET %q: reading the body: %w", url, err)
	}
	return resp.StatusCode, body, nil
}

// truncate shortens b for an error message.
func truncate(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "..."
	}
	return string(b)
}
