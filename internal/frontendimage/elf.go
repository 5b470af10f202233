package frontendimage

import (
	"bytes"
	"debug/elf"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// machines maps GOARCH names to ELF machines; other architectures are taken
// on trust.
var machines = map[string]elf.Machine{
	"amd64":   elf.EM_X86_64,
	"arm64":   elf.EM_AARCH64,
	"arm":     elf.EM_ARM,
	"386":     elf.EM_386,
	"ppc64le": elf.EM_PPC64,
	"s390x":   elf.EM_S390,
	"riscv64": elf.EM_RISCV,
}

// checkStatic fails unless data is an executable ELF file for p's
// architecture with no program interpreter: an image with no base has no
// dynamic loader or libc, so only a static binary (CGO_ENABLED=0) runs in it.
func checkStatic(data []byte, p v1.Platform) error {
	if len(data) == 0 {
		return errEmpty
	}
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("not an ELF executable: %w", err)
	}
	defer f.Close()
	if f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		return fmt.Errorf("ELF type %s, not an executable", f.Type)
	}
	if want, ok := machines[p.Architecture]; ok && f.Machine != want {
		return fmt.Errorf("built for %s, but the image is %s (set GOARCH, or the platform)", f.Machine, p.String())
	}
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			return fmt.Errorf("dynamically linked (it asks for a program interpreter): build it with CGO_ENABLED=0")
		}
	}
	return nil
}
