// The subset of onnx.proto (ONNX IR, github.com/onnx/onnx/blob/main/onnx/onnx.proto) that curio writes,
// as a protobufjs reflection descriptor. Field numbers must match onnx.proto exactly.
import protobuf from "protobufjs";

const f = (type: string, id: number, rule?: "repeated") => (rule ? { type, id, rule } : { type, id });

const descriptor = {
  nested: {
    onnx: {
      nested: {
        OperatorSetIdProto: { fields: { domain: f("string", 1), version: f("int64", 2) } },
        AttributeProto: {
          fields: {
            name: f("string", 1),
            f: f("float", 2),
            i: f("int64", 3),
            s: f("bytes", 4),
            t: f("TensorProto", 5),
            floats: f("float", 7, "repeated"),
            ints: f("int64", 8, "repeated"),
            type: f("int32", 20), // AttributeType: FLOAT 1, INT 2, STRING 3, TENSOR 4, FLOATS 6, INTS 7
          },
        },
        TensorProto: {
          fields: {
            dims: f("int64", 1, "repeated"),
            dataType: f("int32", 2),
            name: f("string", 8),
            rawData: f("bytes", 9),
            externalData: f("StringStringEntryProto", 13, "repeated"),
            dataLocation: f("int32", 14), // DEFAULT 0, EXTERNAL 1
          },
        },
        StringStringEntryProto: { fields: { key: f("string", 1), value: f("string", 2) } },
        TensorShapeProto: {
          fields: { dim: f("Dimension", 1, "repeated") },
          nested: { Dimension: { fields: { dimValue: f("int64", 1), dimParam: f("string", 2) } } },
        },
        TypeProto: {
          fields: { tensorType: f("Tensor", 1) },
          nested: { Tensor: { fields: { elemType: f("int32", 1), shape: f("TensorShapeProto", 2) } } },
        },
        ValueInfoProto: { fields: { name: f("string", 1), type: f("TypeProto", 2) } },
        NodeProto: {
          fields: {
            input: f("string", 1, "repeated"),
            output: f("string", 2, "repeated"),
            name: f("string", 3),
            opType: f("string", 4),
            attribute: f("AttributeProto", 5, "repeated"),
            domain: f("string", 7),
          },
        },
        GraphProto: {
          fields: {
            node: f("NodeProto", 1, "repeated"),
            name: f("string", 2),
            initializer: f("TensorProto", 5, "repeated"),
            input: f("ValueInfoProto", 11, "repeated"),
            output: f("ValueInfoProto", 12, "repeated"),
            valueInfo: f("ValueInfoProto", 13, "repeated"),
          },
        },
        ModelProto: {
          fields: {
            irVersion: f("int64", 1),
            producerName: f("string", 2),
            producerVersion: f("string", 3),
            graph: f("GraphProto", 7),
            opsetImport: f("OperatorSetIdProto", 8, "repeated"),
          },
        },
      },
    },
  },
};

export const onnxRoot = protobuf.Root.fromJSON(descriptor);
export const ModelProto = onnxRoot.lookupType("onnx.ModelProto");

// Plain-object shapes of the messages (protobufjs camelCases field names).
export interface AttributeMsg {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorMsg;
  floats?: number[];
  ints?: number[];
}
export interface TensorMsg {
  name?: string;
  dims: number[];
  dataType: number;
  rawData?: Uint8Array;
  /** with dataLocation 1: where the bytes are (location, offset, length) */
  externalData?: { key: string; value: string }[];
  dataLocation?: number;
}
export interface NodeMsg {
  name: string;
  opType: string;
  domain?: string;
  input: string[];
  output: string[];
  attribute: AttributeMsg[];
}
export interface ValueInfoMsg {
  name: string;
  type: { tensorType: { elemType: number; shape: { dim: { dimValue: number }[] } } };
}
export interface ModelMsg {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  opsetImport: { domain: string; version: number }[];
  graph: {
    name: string;
    node: NodeMsg[];
    initializer: TensorMsg[];
    input: ValueInfoMsg[];
    output: ValueInfoMsg[];
    valueInfo: ValueInfoMsg[];
  };
}
