package llb

import "github.com/opencontainers/go-digest"

func digestOf(raw []byte) string        { return digest.FromBytes(raw).String() }
func digestFrom(s string) digest.Digest { return digest.Digest(s) }
