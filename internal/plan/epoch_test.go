package plan

import (
	"strings"
	"testing"
)

func TestSourceDateEpochFrom(t *testing.T) {
	flag := func(v string) EpochSetting { return EpochSetting{Name: "--flag", Value: v, Set: true} }
	env := func(v string) EpochSetting { return EpochSetting{Name: "$ENV", Value: v, Set: v != ""} }
	for _, tc := range []struct {
		name     string
		settings []EpochSetting
		want     int64 // -1: none
		err      string
	}{
		{"none", nil, -1, ""},
		{"unset settings", []EpochSetting{{Name: "--flag"}, env("")}, -1, ""},
		{"flag", []EpochSetting{flag("5"), env("7")}, 5, ""},
		{"flag over bad variable", []EpochSetting{flag("5"), env("nope")}, 5, ""},
		{"variable when no flag", []EpochSetting{{Name: "--flag"}, env("7")}, 7, ""},
		{"bad flag named", []EpochSetting{flag("yesterday"), env("7")}, 0, `--flag: "yesterday" is not a whole number`},
		{"empty flag", []EpochSetting{flag("")}, 0, `--flag: "" is not`},
		{"negative variable", []EpochSetting{{Name: "--flag"}, env("-7")}, 0, "$ENV: must not be negative, got -7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := SourceDateEpochFrom(tc.settings...)
			switch {
			case tc.err != "":
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("error %v, want %q", err, tc.err)
				}
			case err != nil:
				t.Errorf("error %v", err)
			case tc.want < 0 && got != nil:
				t.Errorf("got %v, want none", got)
			case tc.want >= 0 && (got == nil || got.Unix() != tc.want):
				t.Errorf("got %v, want %d", got, tc.want)
			}
		})
	}
}
