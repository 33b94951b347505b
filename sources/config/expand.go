package config

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Bounds on what a document may expand to once its aliases are resolved.
// A config of ours is a few hundred nodes; these leave room for a generated
// schedule of thousands of stages while a "billion laughs" document (a few
// hundred kilobytes whose aliases repeat a long string or a big list
// millions of times) is refused before anything decodes, joins or prints
// the expansion. yaml's own guard looks at one Decode call at a time, and
// every section decodes its node in a call of its own, so it never sees
// the whole document.
const (
	MaxExpandedNodes = 1 << 20
	MaxExpandedBytes = 16 << 20
)

// expansion is the size of a node with every alias under it resolved.
type expansion struct{ nodes, bytes int64 }

// checkExpansion refuses a document whose aliases expand it past
// MaxExpandedNodes or MaxExpandedBytes, at the line of the alias that
// crosses the bound. Each node's expanded size is computed once, so the
// check is linear in the parsed document, whatever the expansion.
func checkExpansion(root *yaml.Node) error {
	x := expander{memo: map[*yaml.Node]expansion{}, open: map[*yaml.Node]bool{}}
	_, err := x.size(root)
	return err
}

type expander struct {
	memo map[*yaml.Node]expansion
	open map[*yaml.Node]bool // being sized: an alias back to one is a cycle
}

func (x *expander) size(n *yaml.Node) (expansion, error) {
	if n == nil {
		return expansion{}, nil
	}
	if n.Kind == yaml.AliasNode {
		if x.open[n.Alias] {
			return expansion{}, &Error{Line: n.Line, Err: fmt.Errorf("alias *%s refers to the node that contains it", n.Value)}
		}
		return x.size(n.Alias)
	}
	if s, ok := x.memo[n]; ok {
		return s, nil
	}
	x.open[n] = true
	defer delete(x.open, n)
	s := expansion{nodes: 1, bytes: int64(len(n.Value))}
	for _, c := range n.Content {
		cs, err := x.size(c)
		if err != nil {
			return s, err
		}
		s.nodes += cs.nodes
		s.bytes += cs.bytes
		// sums stay far below overflow: each is checked before the next
		// child is added, and a child is bounded the same way
		switch {
		case s.nodes > MaxExpandedNodes:
			return s, &Error{Line: c.Line, Err: fmt.Errorf("aliases expand the document to more than %d nodes (an alias bomb?)", MaxExpandedNodes)}
		case s.bytes > MaxExpandedBytes:
			return s, &Error{Line: c.Line, Err: fmt.Errorf("aliases expand the document to more than %d bytes (an alias bomb?)", MaxExpandedBytes)}
		}
	}
	x.memo[n] = s
	return s, nil
}
