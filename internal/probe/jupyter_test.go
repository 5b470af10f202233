package probe

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

// jupyterServer describes a fake Jupyter API.
type jupyterServer struct {
	token      string   // the token that is accepted
	open       bool     // serve without any token
	anyToken   bool     // accept any token, even a wrong one
	kernels    []string // offered kernels
	statusCode int      // when set, answer every request with it
}

// jupyterHandler serves /api/status and /api/kernelspecs as Jupyter does.
func jupyterHandler(j jupyterServer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if j.statusCode != 0 {
			w.WriteHeader(j.statusCode)
			return
		}
		h := r.Header.Get("Authorization")
		ok := j.open || h == "token "+j.token || (j.anyToken && h != "")
		if !ok {
			http.Error(w, `{"message": "Forbidden"}`, http.StatusForbidden)
			return
		}
		switch r.URL.Path {
		case "/api/status":
			w.Write([]byte(`{"started": "2026-12-01T00:00:00Z", "kernels": 0}`))
		case "/api/kernelspecs":
			specs := map[string]any{}
			for _, k := range j.kernels {
				specs[k] = map[string]any{"name": k}
			}
			json.NewEncoder(w).Encode(map[string]any{"default": "python3", "kernelspecs": specs})
		default:
			http.NotFound(w, r)
		}
	})
}

func TestJupyter(t *testing.T) {
	for _, tc := range []struct {
		name    string
		server  jupyterServer
		kernels string
		token   string
		ok      bool
		want    string
		fatal   bool // fails at once, not at the timeout
	}{
		{"serves with the token", jupyterServer{token: "tok", kernels: []string{"python3", "ir"}}, ":python3,ir", "tok", true, "kernels: ir, python3", false},
		{"no kernels named", jupyterServer{token: "tok", kernels: []string{"python3"}}, "", "tok", true, "refuses no/wrong token (403)", false},
		{"open to anyone", jupyterServer{open: true, kernels: []string{"python3"}}, "", "tok", false, "without a token answered 200: the API is open to anyone", true},
		{"any token", jupyterServer{token: "tok", anyToken: true}, "", "tok", false, "with a wrong token answered 200", true},
		{"kernel missing", jupyterServer{token: "tok", kernels: []string{"python3"}}, ":python3,ir", "tok", false, "kernels ir not offered (offered: python3)", true},
		{"token not accepted", jupyterServer{token: "other", kernels: []string{"python3"}}, "", "tok", false, "with the token answered 403, want 200", false},
		{"server error", jupyterServer{statusCode: 500}, "", "tok", false, "with the token answered 500, want 200", false},
		{"no token given", jupyterServer{token: "tok"}, "", "", false, "set JUPYTER_TOKEN", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(jupyterHandler(tc.server))
			defer srv.Close()
			spec := "jupyter:" + strconv.Itoa(portOf(t, srv.Listener.Addr().String())) + tc.kernels
			start := time.Now()
			r := runOne(t, spec, fast(time.Second, WithJupyterToken(tc.token))...)
			checkResult(t, r, tc.ok, tc.want)
			if !tc.ok {
				if took := time.Since(start); tc.fatal != (took < 900*time.Millisecond) {
					t.Errorf("failed after %s; want fatal=%v (at once, not at the 1s timeout)", took, tc.fatal)
				}
			}
		})
	}
}
