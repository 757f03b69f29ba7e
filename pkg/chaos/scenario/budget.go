package scenario

import (
	"fmt"
	"io"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/scanner"
	"github.com/goccy/go-yaml/token"
)

// Limits on the shape of a scenario file, checked before it is decoded: the
// YAML decoder expands every alias in full (a 400-byte "billion laughs"
// file allocated 19 GB over four minutes) and its parser is quadratic in
// nesting depth (a megabyte of "[" never finished). A real scenario is a
// few hundred nodes, five or six levels deep.
const (
	// MaxFileSize is the largest scenario file read, in bytes.
	MaxFileSize = 1 << 20
	// MaxTokens bounds the YAML tokens in a file.
	MaxTokens = 20_000
	// MaxDepth bounds the nesting of mappings and sequences.
	MaxDepth = 32
	// MaxNodes bounds the YAML nodes once every alias is expanded.
	MaxNodes = 20_000
)

// checkShape refuses a file that is too large, too deep or whose aliases
// expand too far, without decoding it. It returns the file's syntax tree
// (nil for a syntax error, which the decoder reports with its position).
func checkShape(b []byte) (f *ast.File, err error) {
	defer func() { // the lexer and parser share the decoder's panics (see decode)
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("%w: malformed YAML the parser could not read (%v)", ErrInvalid, r)
		}
	}()
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("%w: file is %d bytes, the limit is %d (1 MiB)", ErrInvalid, len(b), MaxFileSize)
	}
	tokens, ok := tokenize(string(b))
	if !ok {
		return nil, fmt.Errorf("%w: more than %d YAML tokens", ErrInvalid, MaxTokens)
	}
	if d, tk := depth(tokens); d > MaxDepth {
		return nil, fmt.Errorf("%w: line %d: nested %d levels deep, the limit is %d", ErrInvalid, tk.Position.Line, d, MaxDepth)
	}
	f, err = parser.Parse(tokens, 0)
	if err != nil {
		return nil, nil
	}
	e := expansion{defs: map[string][]ast.Node{}, size: map[ast.Node]int{}, busy: map[string]bool{}}
	for _, doc := range f.Docs {
		ast.Walk(anchorFinder(e.defs), doc)
	}
	n := 0
	for _, doc := range f.Docs {
		n = e.add(n, e.count(doc))
	}
	if e.err != nil {
		return nil, e.err
	}
	if n > MaxNodes {
		return nil, fmt.Errorf("%w: aliases expand to more than %d YAML nodes", ErrInvalid, MaxNodes)
	}
	return f, nil
}

// tokenize is lexer.Tokenize that stops past MaxTokens.
func tokenize(src string) (token.Tokens, bool) {
	var s scanner.Scanner
	s.Init(src)
	var tokens token.Tokens
	for calls := 0; calls <= len(src); calls++ { // each call reads at least a byte
		sub, err := s.Scan()
		if err == io.EOF {
			break
		}
		tokens.Add(sub...)
		if len(tokens) > MaxTokens {
			return nil, false
		}
	}
	return tokens, true
}

// depth returns the deepest nesting in the token stream and a token there:
// flow collections by their brackets, block ones by the columns of their
// keys and "-" entries.
func depth(tokens token.Tokens) (int, *token.Token) {
	var cols []int // columns of the open block levels
	flow, deepest := 0, 0
	var at *token.Token
	for _, tk := range tokens {
		switch tk.Type {
		case token.SequenceStartType, token.MappingStartType:
			flow++
		case token.SequenceEndType, token.MappingEndType:
			flow = max(flow-1, 0)
		case token.SequenceEntryType, token.MappingValueType:
			if flow > 0 {
				break
			}
			c := tk.Position.Column
			if tk.Type == token.MappingValueType && tk.Prev != nil {
				c = tk.Prev.Position.Column // the key's column
			}
			for len(cols) > 0 && cols[len(cols)-1] > c {
				cols = cols[:len(cols)-1]
			}
			if len(cols) == 0 || cols[len(cols)-1] < c {
				cols = append(cols, c)
			}
		}
		if d := len(cols) + flow; d > deepest {
			deepest, at = d, tk
		}
	}
	return deepest, at
}

// anchorFinder collects every anchored node by anchor name.
type anchorFinder map[string][]ast.Node

func (a anchorFinder) Visit(n ast.Node) ast.Visitor {
	if an, ok := n.(*ast.AnchorNode); ok && an.Name != nil && an.Value != nil {
		name := an.Name.GetToken().Value
		a[name] = append(a[name], an.Value)
	}
	return a
}

// expansion counts nodes with aliases expanded, saturating just above
// MaxNodes so that no sum overflows. An alias counts as the largest node
// ever anchored under its name: an over-estimate only where a file reuses
// an anchor name.
type expansion struct {
	defs map[string][]ast.Node
	size map[ast.Node]int // memo: expanded size of an anchored node
	busy map[string]bool  // anchors being counted, to refuse a cycle
	err  error
}

func (e *expansion) add(a, b int) int { return min(a+b, MaxNodes+1) }

func (e *expansion) count(n ast.Node) int {
	c := &counter{e: e}
	ast.Walk(c, n)
	return c.n
}

func (e *expansion) alias(name string) int {
	if e.busy[name] {
		e.err = fmt.Errorf("%w: alias *%s refers to itself", ErrInvalid, name)
		return MaxNodes + 1
	}
	e.busy[name] = true
	defer delete(e.busy, name)
	most := 0
	for _, def := range e.defs[name] {
		s, ok := e.size[def]
		if !ok {
			s = e.count(def)
			e.size[def] = s
		}
		most = max(most, s)
	}
	return most
}

// counter is the ast.Visitor that does the counting for one subtree.
type counter struct {
	e *expansion
	n int
}

func (c *counter) Visit(n ast.Node) ast.Visitor {
	if n == nil || c.n > MaxNodes {
		return nil
	}
	if al, ok := n.(*ast.AliasNode); ok {
		if al.Value != nil {
			c.n = c.e.add(c.n, c.e.alias(al.Value.GetToken().Value))
		}
		return nil
	}
	c.n = c.e.add(c.n, 1)
	return c
}
