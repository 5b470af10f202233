package main

import "testing"

// TestSourceDateEpochInput covers bad values of the flag, the variable and
// the spec key, which must fail before any daemon starts, and the flag's
// precedence over the variable.
func TestSourceDateEpochInput(t *testing.T) {
	offline(t)
	good := writeSpec(t, "images:\n  python:\n    base: debian:bookworm\n")
	bad := writeSpec(t, "images:\n  python:\n    base: debian:bookworm\nsource_date_epoch: -3\n")
	for _, tc := range []struct {
		env string
		exitCase
	}{
		{"", exitCase{"bad flag", []string{"build", "-f", good, "--source-date-epoch", "yesterday"}, 2,
			`--source-date-epoch: "yesterday" is not a whole number of seconds since 1970-01-01 UTC`}},
		{"", exitCase{"negative flag", []string{"plan", "-f", good, "--source-date-epoch=-1"}, 2,
			"--source-date-epoch: must not be negative, got -1"}},
		{"", exitCase{"empty flag", []string{"build", "-f", good, "--source-date-epoch="}, 2, `--source-date-epoch: "" is not`}},
		{"1.5", exitCase{"bad variable", []string{"build", "-f", good}, 2,
			`$SOURCE_DATE_EPOCH: "1.5" is not a whole number of seconds since 1970-01-01 UTC`}},
		{"-7", exitCase{"bad variable in plan", []string{"plan", "-f", good}, 2, "$SOURCE_DATE_EPOCH: must not be negative, got -7"}},
		{"nope", exitCase{"flag over bad variable", []string{"build", "-f", good, "--source-date-epoch", "1700000000"}, 1, "resolving base image"}},
		{"", exitCase{"empty variable is unset", []string{"build", "-f", good}, 1, "resolving base image"}},
		{"", exitCase{"bad spec key", []string{"validate", "-f", bad}, 2, bad + ":4: source_date_epoch: must not be negative, got -3"}},
		{"", exitCase{"bad spec key in build", []string{"build", "-f", bad}, 2, bad + ":4: source_date_epoch: must not be negative"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(envSourceDateEpoch, tc.env)
			runExitCases(t, []exitCase{tc.exitCase})
		})
	}
}
