// Package templates holds the assets wsbuild compiles into images and the
// version of those assets. Any change to what the compiler emits for a given
// spec must bump Version, because Version is part of every image's input
// digest: bumping it marks every image as changed.
package templates

// Version identifies the compiler's output format and embedded assets.
const Version = "wsbuild-templates/1"
