// Package weights ships the meta-trained predictor and the known-device
// atlas, embedded in the binary so the CLI works without the data
// directory. README.md beside this file records how each file was made.
//
// Files (the page's build copies them into dist/):
//
//	nasbench201.helpw        HELP meta-trained by `helpwasm train` (predictor's format)
//	nasbench201.atlas.json   atlas.FromTable on HELP's tables (go generate)
//	fbnet.helpw              HELP meta-trained on FBNet by `helpwasm train -space fbnet`
//	fbnet.atlas.json         atlas.FromTable on HELP's FBNet tables (go generate)
//	fbnet.pool.txt           HELP's 5,000 FBNet architectures, one per line in index order (go generate)
//	ofa.helpw                HELP meta-trained on OFA by `helpwasm train -space ofa`
//	ofa.atlas.json           atlas.FromTable on HELP's OFA tables (go generate)
//	ofa.pool.txt             HELP's 5,000 OFA architectures, one per line in index order (go generate)
//
// Every call decodes afresh and returns a value the caller owns.
package weights

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"

	"github.com/helpwasm/helpwasm/atlas"
	"github.com/helpwasm/helpwasm/predictor"
)

//go:generate go run gen_atlas.go -data ../../shared/data -space nasbench201
//go:generate go run gen_atlas.go -data ../../shared/data -space fbnet -pool fbnet.pool.txt
//go:generate go run gen_atlas.go -data ../../shared/data -space ofa -pool ofa.pool.txt

//go:embed nasbench201* fbnet* ofa*
var files embed.FS

// File names inside the package directory, by search space.
const (
	ModelFile = ".helpw"
	AtlasFile = ".atlas.json"
	PoolFile  = ".pool.txt" // only for spaces too large to enumerate
)

// Bytes returns the shipped file space+suffix (suffix ModelFile or
// AtlasFile), e.g. Bytes("nasbench201", ModelFile).
func Bytes(space, suffix string) ([]byte, error) {
	b, err := fs.ReadFile(files, space+suffix)
	if err != nil {
		return nil, fmt.Errorf("weights: no shipped %s%s: %w", space, suffix, err)
	}
	return b, nil
}

// Model returns the shipped meta-trained predictor of space.
func Model(space string) (*predictor.Model, error) {
	b, err := Bytes(space, ModelFile)
	if err != nil {
		return nil, err
	}
	m, err := predictor.Load(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("weights: %s%s: %w", space, ModelFile, err)
	}
	return m, nil
}

// Atlas returns the shipped known-device atlas of space.
func Atlas(space string) (*atlas.Atlas, error) {
	b, err := Bytes(space, AtlasFile)
	if err != nil {
		return nil, err
	}
	a, err := atlas.Read(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("weights: %s%s: %w", space, AtlasFile, err)
	}
	return a, nil
}
