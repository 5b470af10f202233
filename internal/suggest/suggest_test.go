package suggest

import "testing"

func TestClosest(t *testing.T) {
	names := []string{"python", "python-pytorch", "python-pytorch-jupyter", "python-tensorflow"}
	for _, tc := range []struct{ in, want string }{
		{"pyton", "python"},
		{"Python-Pytorch", "python-pytorch"},
		{"pytorch", "python-pytorch"},
		{"jupyter", "python-pytorch-jupyter"},
		{"ab", ""},
		{"python-pytorch-lab", "python-pytorch"},
		{"my-python-pytorch-jupyter-lab", "python-pytorch-jupyter"},
		{"", ""},
		{"rust", ""},
	} {
		if got := Closest(tc.in, names); got != tc.want {
			t.Errorf("Closest(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"abc", "", 3}, {"kitten", "sitting", 3}, {"ports", "prots", 2}} {
		if got := Distance(tc.a, tc.b); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
