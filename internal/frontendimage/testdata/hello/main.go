// Command hello is a tiny static binary for frontendimage's tests; -X
// main.name makes two builds of it differ.
package main

import "os"

var name = "hello"

func main() { os.Stdout.WriteString(name + "\n") }
