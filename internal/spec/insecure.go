package spec

import (
	"fmt"
	"net"
	"slices"
)

// PlainHTTPSafe reports whether registry (host with an optional port) is on
// a loopback or private address, where `insecure: true` may send images and
// credentials over plain HTTP without a warning: localhost, 127.0.0.0/8,
// ::1, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 and fc00::/7. A name other
// than localhost is not: where it points is not known here.
func PlainHTTPSafe(registry string) bool {
	host, _, err := net.SplitHostPort(registry)
	if err != nil {
		host = registry
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLoopback() || ip.IsPrivate())
}

// CheckPlainHTTP refuses push targets with `insecure: true` on a registry
// that is neither PlainHTTPSafe nor in allowed (--allow-insecure-registry),
// naming the spec line; it returns a warning for each allowed one.
func (f *Family) CheckPlainHTTP(allowed []string) (warnings []string, err error) {
	for i, t := range f.Push {
		if !t.Insecure || PlainHTTPSafe(t.Registry) {
			continue
		}
		path := fmt.Sprintf("push.%d.insecure", i)
		if !slices.Contains(allowed, t.Registry) {
			return nil, fmt.Errorf("%s: %s: %s is not a loopback or private address, and plain HTTP would send images and credentials to it unencrypted; give --allow-insecure-registry %s if that is meant",
				f.At(path), path, t.Registry, t.Registry)
		}
		warnings = append(warnings, fmt.Sprintf("warning: %s: %s: pushing to %s over plain HTTP (--allow-insecure-registry): images and credentials travel unencrypted", f.At(path), path, t.Registry))
	}
	return warnings, nil
}
