package pipeline

import (
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/wsbuild/wsbuild/internal/ocilayout"
)

// TestImportItems groups a layout's tags by image under the registry and
// namespace, keeps parents before children, and refuses a repository that
// leaves the namespace, a bad tag, and one image name with two contents.
func TestImportItems(t *testing.T) {
	a, err := random.Image(100, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := random.Image(100, 1)
	if err != nil {
		t.Fatal(err)
	}
	good := []ocilayout.Entry{
		{Name: "tool", Repository: "tool", Tag: "1", Image: a},
		{Name: "leaf", Parent: "tool", Repository: "leaf", Tag: "1", Image: b},
		{Name: "leaf", Parent: "tool", Repository: "leaf", Tag: "latest", Image: b},
	}
	items, _, err := importItems(good, "reg.example", "team-a/offline", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[1].Parent != "tool" || len(items[1].Refs) != 2 || items[1].Refs[1].Name != "reg.example/team-a/offline/leaf:latest" {
		t.Errorf("items %+v", items)
	}
	for _, tc := range []struct {
		name, want string
		edit       func(e []ocilayout.Entry)
	}{
		{"leaves the namespace", "is not a valid image reference", func(e []ocilayout.Entry) { e[0].Repository = "../../team-b/tool" }},
		{"dot component", "is not a valid image reference", func(e []ocilayout.Entry) { e[0].Repository = "./tool" }},
		{"bad tag", "is not a valid image reference", func(e []ocilayout.Entry) { e[0].Tag = "-1" }},
		{"two contents", `names image "leaf", which an earlier entry names with other content`, func(e []ocilayout.Entry) { e[2].Image = a }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := append([]ocilayout.Entry(nil), good...)
			tc.edit(e)
			if _, _, err := importItems(e, "reg.example", "team-a/offline", false); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}
