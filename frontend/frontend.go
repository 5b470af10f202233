// Package frontend is wsbuild as a BuildKit frontend: Build reads a spec
// the way the Dockerfile frontend reads a Dockerfile (its build options,
// build args, target, platform, labels, no-cache and named contexts), and
// compiles and checks the target image with the same planner and compiler
// as the wsbuild CLI: one compiler, two entrances. Subrequests (targets,
// outline, check) are answered from the spec, and errors carry the spec's
// lines through BuildKit's source maps.
package frontend
