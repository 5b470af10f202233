package buildcache

import "testing"

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		d    Direction
		in   string
		want string
	}{
		{Export, "type=registry,ref=reg/ns/cache,mode=max", "type=registry,mode=max,ref=reg/ns/cache"},
		{Import, "reg/ns/cache:v1", "type=registry,ref=reg/ns/cache:v1"},
		{Export, "type=local,dest=/tmp/c", "type=local,dest=/tmp/c"},
		{Import, "type=local,src=/tmp/c", "type=local,src=/tmp/c"},
		{Export, "type=inline", "type=inline"},
		{Export, `type=gha,"scope=a,b",url=http://x`, "type=gha,scope=a,b,url=http://x"},
		{Import, "type=s3,region=eu,bucket=b", "type=s3,bucket=b,region=eu"},
	} {
		e, err := Parse(tc.d, tc.in)
		if err != nil {
			t.Errorf("%s %q: %v", tc.d.Flag(), tc.in, err)
			continue
		}
		if got := e.String(); got != tc.want {
			t.Errorf("%s %q = %s, want %s", tc.d.Flag(), tc.in, got, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		d    Direction
		in   string
		want string
	}{
		{Export, "", `--cache-to: empty value (want type=registry,ref=..., type=local,dest=..., ...)`},
		{Import, "type=registry,ref", `--cache-from "type=registry,ref": "ref" is not key=value`},
		{Export, "type=registry,=x", `--cache-to "type=registry,=x": "=x" is not key=value`},
		{Export, "ref=reg/c", `--cache-to "ref=reg/c": key "type" is missing (want one of registry, local, inline, gha, s3, azblob)`},
		{Export, "type=ftp,ref=x", `--cache-to "type=ftp,ref=x": unknown type "ftp" (want one of registry, local, inline, gha, s3, azblob)`},
		{Export, "type=registry,ref=a,ref=b", `--cache-to "type=registry,ref=a,ref=b": key "ref" given twice`},
		{Export, "type=registry,ref=a,mode=all", `--cache-to "type=registry,ref=a,mode=all": key "mode": "all" is neither min nor max`},
		{Import, "type=registry,ref=a,mode=max", `--cache-from "type=registry,ref=a,mode=max": key "mode" is for --cache-to only`},
		{Export, "type=registry,mode=max", `--cache-to "type=registry,mode=max": key "ref" is missing: type=registry needs ref=REGISTRY/REPOSITORY`},
		{Export, "type=local,src=/c", `--cache-to "type=local,src=/c": key "src" is for --cache-from; --cache-to takes dest=FOLDER`},
		{Import, "type=local,dest=/c", `--cache-from "type=local,dest=/c": key "dest" is for --cache-to; --cache-from takes src=FOLDER`},
		{Export, "type=local", `--cache-to "type=local": key "dest" is missing: type=local needs dest=FOLDER`},
		{Import, "type=inline", `--cache-from "type=inline": type=inline is for --cache-to only: import inline cache with type=registry,ref=IMAGE`},
		{Export, "type=inline,mode=max", `--cache-to "type=inline,mode=max": key "mode": type=inline takes no attributes`},
		{Export, `type=registry,"ref=a`, `--cache-to "type=registry,\"ref=a": parse error on line 1, column 21: extraneous or missing " in quoted-field`},
	} {
		_, err := Parse(tc.d, tc.in)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s %q: error %v, want %s", tc.d.Flag(), tc.in, err, tc.want)
		}
	}
}

func TestForImage(t *testing.T) {
	for _, tc := range []struct {
		d    Direction
		in   string
		want string
	}{
		{Export, "type=registry,ref=reg/ns/cache,mode=max", "type=registry,mode=max,ref=reg/ns/cache:py-3.11"},
		{Import, "type=registry,ref=reg:5000/ns/cache:v1", "type=registry,ref=reg:5000/ns/cache:v1-py-3.11"},
		{Import, "type=registry,ref=reg:5000/ns/cache", "type=registry,ref=reg:5000/ns/cache:py-3.11"},
		{Export, "type=registry,ref=reg/ns/{image}:{tag}-cache", "type=registry,ref=reg/ns/py-3.11:3.11-cache"},
		{Export, "type=local,dest=/c/", "type=local,dest=/c/py-3.11"},
		{Import, "type=local,src=/c/{image}", "type=local,src=/c/py-3.11"},
		{Export, "type=gha", "type=gha,scope=py-3.11"},
		{Export, "type=gha,scope=ci", "type=gha,scope=ci-py-3.11"},
		{Import, "type=s3,bucket=b,name={tag}", "type=s3,bucket=b,name=3.11"},
		{Export, "type=inline", "type=inline"},
		{Import, "type=registry,ref={ref}", "type=registry,ref=reg/ns/py:3.11"},
	} {
		e, err := Parse(tc.d, tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.ForImage(tc.d, "py:3.11", "3.11", "reg/ns/py:3.11").String(); got != tc.want {
			t.Errorf("%q for py:3.11 = %s, want %s", tc.in, got, tc.want)
		}
		before := e.String()
		e.ForImage(tc.d, "other", "1", "reg/ns/other:1")
		if e.String() != before {
			t.Errorf("ForImage changed the parsed entry %s to %s", before, e.String())
		}
	}
}
