package spec

import (
	"strings"
	"testing"
)

func TestSourceDateEpoch(t *testing.T) {
	for _, tc := range []struct {
		name string
		yaml string
		want int64 // -1: unset
	}{
		{"unset", base, -1},
		{"null", base + "source_date_epoch:\n", -1},
		{"seconds", base + "source_date_epoch: 1700000000\n", 1700000000},
		{"zero", base + "source_date_epoch: 0\n", 0},
		{"before images", "source_date_epoch: 1700000000\n" + base, 1700000000},
		{"past 2038", base + "source_date_epoch: 4102444800\n", 4102444800},
		{"last second of 9999", base + "source_date_epoch: 253402300799\n", MaxSourceDateEpoch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fam, err := Parse("wsbuild.yaml", []byte(tc.yaml))
			if err != nil {
				t.Fatal(err)
			}
			switch got := fam.SourceDateEpoch; {
			case tc.want < 0 && got != nil:
				t.Errorf("SourceDateEpoch = %d, want unset", *got)
			case tc.want >= 0 && (got == nil || *got != tc.want):
				t.Errorf("SourceDateEpoch = %v, want %d", got, tc.want)
			}
		})
	}
}

func TestSourceDateEpochErrors(t *testing.T) {
	const msg = "wsbuild.yaml:4: source_date_epoch: "
	runErrCases(t, []errCase{
		{name: "quoted", yaml: base + "source_date_epoch: \"1700000000\"\n",
			want: []string{msg + "expected a whole number of seconds since 1970-01-01 UTC, got a string"}},
		{name: "fraction", yaml: base + "source_date_epoch: 1700000000.5\n",
			want: []string{msg + "expected a whole number of seconds since 1970-01-01 UTC, got a number"}},
		{name: "date", yaml: base + "source_date_epoch: 2023-11-14\n",
			want: []string{msg + "expected a whole number of seconds since 1970-01-01 UTC, got a timestamp"}},
		{name: "list", yaml: base + "source_date_epoch: [1]\n",
			want: []string{msg + "expected a whole number of seconds since 1970-01-01 UTC, got a list"}},
		{name: "negative", yaml: base + "source_date_epoch: -1\n",
			want: []string{msg + "must not be negative, got -1"}},
		{name: "after 9999", yaml: base + "source_date_epoch: 253402300800\n",
			want: []string{msg + "253402300800 is after the year 9999"}},
		{name: "beyond int64", yaml: base + "source_date_epoch: 99999999999999999999\n",
			want: []string{msg + "99999999999999999999 is after the year 9999"}},
		{name: "duplicate", yaml: "source_date_epoch: 1\n" + base + "source_date_epoch: 2\n",
			want: []string{`wsbuild.yaml:5: source_date_epoch: duplicate key "source_date_epoch" (first at wsbuild.yaml:1)`}},
		{name: "misspelt", yaml: base + "source_date_epock: 1\n",
			want: []string{`wsbuild.yaml:4: source_date_epock: unknown field "source_date_epock" (did you mean "source_date_epoch"?)`}},
	})
}

func TestParseSourceDateEpoch(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  string
	}{
		{"1700000000", 1700000000, ""},
		{"0", 0, ""},
		{"253402300799", MaxSourceDateEpoch, ""},
		{"", 0, `"" is not a whole number`},
		{"17e8", 0, `"17e8" is not a whole number`},
		{" 1", 0, `" 1" is not a whole number`},
		{"-5", 0, "must not be negative, got -5"},
		{"253402300800", 0, "after the year 9999"},
	} {
		got, err := ParseSourceDateEpoch(tc.in)
		switch {
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("ParseSourceDateEpoch(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseSourceDateEpoch(%q) error %v, want one containing %q", tc.in, err, tc.err)
		}
	}
}
