package main

import (
	"strings"
	"testing"

	"github.com/wsbuild/wsbuild/internal/pipeline"
)

func TestParseSecret(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want pipeline.SecretFlag
		err  string
	}{
		{in: "id=pip,env=PIP_TOKEN", want: pipeline.SecretFlag{ID: "pip", Env: "PIP_TOKEN"}},
		{in: "id=netrc,src=/run/ci/netrc", want: pipeline.SecretFlag{ID: "netrc", File: "/run/ci/netrc"}},
		{in: "id=pip,type=env,src=PIP_TOKEN", want: pipeline.SecretFlag{ID: "pip", Env: "PIP_TOKEN"}},
		{in: "id=TOKEN", want: pipeline.SecretFlag{ID: "TOKEN", Env: "TOKEN"}},
		{in: "env=X", err: `invalid secret id ""`},
		{in: "id=a,env=X,src=f", err: "give env= or src=, not both"},
		{in: "id=a,type=ssh", err: `unknown type "ssh"`},
		{in: "id=a,required", err: `"required" is not key=value`},
	} {
		got, err := parseSecret(tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("%q: got %+v, %v, want %+v", tc.in, got, err, tc.want)
		}
	}
}
