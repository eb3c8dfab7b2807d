namespace ConvVis.Onnx.Proto;

// The subset of onnx.proto (github.com/onnx/onnx, onnx/onnx.proto) that an image CNN needs.
// Field numbers are the schema's; unknown fields are skipped, as protobuf requires.

/// <summary>ONNX TensorProto.DataType values.</summary>
internal enum OnnxDataType
{
    Undefined = 0, Float = 1, UInt8 = 2, Int8 = 3, UInt16 = 4, Int16 = 5, Int32 = 6, Int64 = 7,
    String = 8, Bool = 9, Float16 = 10, Double = 11, UInt32 = 12, UInt64 = 13,
}

/// <summary>ONNX AttributeProto.AttributeType values.</summary>
internal enum OnnxAttributeType
{
    Undefined = 0, Float = 1, Int = 2, String = 3, Tensor = 4, Graph = 5, Floats = 6, Ints = 7,
    Strings = 8, Tensors = 9, Graphs = 10, SparseTensor = 11, SparseTensors = 12, TypeProto = 13, TypeProtos = 14,
}

/// <summary>ModelProto: the file's root.</summary>
internal sealed class ModelProto
{
    public long IrVersion;
    public string ProducerName = "";
    public string ProducerVersion = "";
    public List<(string Domain, long Version)> OpsetImport = new();
    public GraphProto Graph = new();

    public static ModelProto Parse(ProtoReader r)
    {
        var m = new ModelProto();
        bool sawGraph = false;
        while (!r.AtEnd)
        {
            var (f, w) = r.ReadKey();
            switch (f)
            {
                case 1: r.Expect(w, 0, "ModelProto.ir_version"); m.IrVersion = r.ReadInt64(); break;
                case 2: r.Expect(w, 2, "ModelProto.producer_name"); m.ProducerName = r.ReadString(); break;
                case 3: r.Expect(w, 2, "ModelProto.producer_version"); m.ProducerVersion = r.ReadString(); break;
                case 7: r.Expect(w, 2, "ModelProto.graph"); m.Graph = GraphProto.Parse(r.ReadMessage()); sawGraph = true; break;
                case 8:
                    r.Expect(w, 2, "ModelProto.opset_import");
                    var o = r.ReadMessage();
                    string domain = ""; long version = 0;
                    while (!o.AtEnd)
                    {
                        var (of, ow) = o.ReadKey();
                        if (of == 1 && ow == 2) domain = o.ReadString();
                        else if (of == 2 && ow == 0) version = o.ReadInt64();
                        else o.Skip(ow);
                    }
                    m.OpsetImport.Add((domain, version));
                    break;
                default: r.Skip(w); break;
            }
        }
        if (!sawGraph)
            throw new InvalidDataException("not an ONNX model: the file has no graph (ModelProto field 7)");
        return m;
    }
}

/// <summary>GraphProto: nodes in topological order, weights, inputs and outputs.</summary>
internal sealed class GraphProto
{
    public string Name = "";
    public List<NodeProto> Nodes = new();
    public List<TensorProto> Initializers = new();
    public List<ValueInfoProto> Inputs = new();
    public List<ValueInfoProto> Outputs = new();
    public List<ValueInfoProto> ValueInfo = new();

    public static GraphProto Parse(ProtoReader r)
    {
        var g = new GraphProto();
        while (!r.AtEnd)
        {
            var (f, w) = r.ReadKey();
            switch (f)
            {
                case 1: r.Expect(w, 2, "GraphProto.node"); g.Nodes.Add(NodeProto.Parse(r.ReadMessage())); break;
                case 2: r.Expect(w, 2, "GraphProto.name"); g.Name = r.ReadString(); break;
                case 5: r.Expect(w, 2, "GraphProto.initializer"); g.Initializers.Add(TensorProto.Parse(r.ReadMessage())); break;
                case 11: r.Expect(w, 2, "GraphProto.input"); g.Inputs.Add(ValueInfoProto.Parse(r.ReadMessage())); break;
                case 12: r.Expect(w, 2, "GraphProto.output"); g.Outputs.Add(ValueInfoProto.Parse(r.ReadMessage())); break;
                case 13: r.Expect(w, 2, "GraphProto.value_info"); g.ValueInfo.Add(ValueInfoProto.Parse(r.ReadMessage())); break;
                case 15: throw new NotSupportedException("the graph has sparse initializers, which the importer does not support");
                default: r.Skip(w); break;
            }
        }
        return g;
    }
}

/// <summary>NodeProto: one operator call.</summary>
internal sealed class NodeProto
{
    public string Name = "";
    public string OpType = "";
    public string Domain = "";
    public List<string> Inputs = new();
    public List<string> Outputs = new();
    public List<AttributeProto> Attributes = new();

    public static NodeProto Parse(ProtoReader r)
    {
        var n = new NodeProto();
        while (!r.AtEnd)
        {
            var (f, w) = r.ReadKey();
            switch (f)
            {
                case 1: r.Expect(w, 2, "NodeProto.input"); n.Inputs.Add(r.ReadString()); break;
                case 2: r.Expect(w, 2, "NodeProto.output"); n.Outputs.Add(r.ReadString()); break;
                case 3: r.Expect(w, 2, "NodeProto.name"); n.Name = r.ReadString(); break;
                case 4: r.Expect(w, 2, "NodeProto.op_type"); n.OpType = r.ReadString(); break;
                case 5: r.Expect(w, 2, "NodeProto.attribute"); n.Attributes.Add(AttributeProto.Parse(r.ReadMessage())); break;
                case 7: r.Expect(w, 2, "NodeProto.domain"); n.Domain = r.ReadString(); break;
                default: r.Skip(w); break;
            }
        }
        return n;
    }
}

/// <summary>AttributeProto: a named operator parameter.</summary>
internal sealed class AttributeProto
{
    public string Name = "";
    public OnnxAttributeType Type;
    public float F;
    public long I;
    public byte[] S = Array.Empty<byte>();
    public TensorProto? T;
    public List<float> Floats = new();
    public List<long> Ints = new();

    public static AttributeProto Parse(ProtoReader r)
    {
        var a = new AttributeProto();
        while (!r.AtEnd)
        {
            var (f, w) = r.ReadKey();
            switch (f)
            {
                case 1: r.Expect(w, 2, "AttributeProto.name"); a.Name = r.ReadString(); break;
                case 2: r.Expect(w, 5, "AttributeProto.f"); a.F = r.ReadFloat(); break;
                case 3: r.Expect(w, 0, "AttributeProto.i"); a.I = r.ReadInt64(); break;
                case 4: r.Expect(w, 2, "AttributeProto.s"); a.S = r.ReadBytes().ToArray(); break;
                case 5: r.Expect(w, 2, "AttributeProto.t"); a.T = TensorProto.Parse(r.ReadMessage()); break;
                case 7: r.ReadFloats(w, a.Floats); break;
                case 8: r.ReadInt64s(w, a.Ints); break;
                case 20: r.Expect(w, 0, "AttributeProto.type"); a.Type = (OnnxAttributeType)r.ReadInt64(); break;
                default: r.Skip(w); break;
            }
        }
        // Files from before IR version 2 may omit the type: infer it from the field that is set.
        if (a.Type == OnnxAttributeType.Undefined)
            a.Type = a.T is not null ? OnnxAttributeType.Tensor
                : a.Ints.Count > 0 ? OnnxAttributeType.Ints
                : a.Floats.Count > 0 ? OnnxAttributeType.Floats
                : a.S.Length > 0 ? OnnxAttributeType.String
                : a.F != 0 ? OnnxAttributeType.Float : OnnxAttributeType.Int;
        return a;
    }
}

/// <summary>TensorProto: a constant (weights), stored in <c>raw_data</c> or in a typed field.</summary>
internal sealed class TensorProto
{
    public string Name = "";
    public List<long> Dims = new();
    public OnnxDataType DataType;
    public ReadOnlyMemory<byte> RawData;
    public bool HasRawData;
    public List<float> FloatData = new();
    public List<long> Int32Data = new();   // int32_data carries int32, int16, int8, uint8, bool, float16 bits
    public List<long> Int64Data = new();
    public List<double> DoubleData = new();
    public bool HasExternalData;

    public static TensorProto Parse(ProtoReader r)
    {
        var t = new TensorProto();
        while (!r.AtEnd)
        {
            var (f, w) = r.ReadKey();
            switch (f)
            {
                case 1: r.ReadInt64s(w, t.Dims); break;
                case 2: r.Expect(w, 0, "TensorProto.data_type"); t.DataType = (OnnxDataType)r.ReadInt64(); break;
                case 4: r.ReadFloats(w, t.FloatData); break;
                case 5: r.ReadInt64s(w, t.Int32Data); break;
                case 7: r.ReadInt64s(w, t.Int64Data); break;
                case 8: r.Expect(w, 2, "TensorProto.name"); t.Name = r.ReadString(); break;
                case 9: r.Expect(w, 2, "TensorProto.raw_data"); t.RawData = r.ReadBytes(); t.HasRawData = true; break;
                case 10: r.ReadDoubles(w, t.DoubleData); break;
                case 13: r.Skip(w); t.HasExternalData = true; break;
                default: r.Skip(w); break;
            }
        }
        return t;
    }
}

/// <summary>One dimension of a declared shape: a fixed size, a symbolic name, or unknown.</summary>
internal readonly record struct DimProto(long? Value, string? Param);

/// <summary>ValueInfoProto: a named tensor with its element type and (possibly symbolic) shape.</summary>
internal sealed class ValueInfoProto
{
    public string Name = "";
    public OnnxDataType ElemType;
    public List<DimProto>? Shape;

    public static ValueInfoProto Parse(ProtoReader r)
    {
        var v = new ValueInfoProto();
        while (!r.AtEnd)
        {
            var (f, w) = r.ReadKey();
            if (f == 1 && w == 2) v.Name = r.ReadString();
            else if (f == 2 && w == 2) ParseType(r.ReadMessage(), v);
            else r.Skip(w);
        }
        return v;
    }

    private static void ParseType(ProtoReader r, ValueInfoProto v)
    {
        while (!r.AtEnd)
        {
            var (f, w) = r.ReadKey();
            if (f != 1 || w != 2) { r.Skip(w); continue; }   // only tensor_type
            var tt = r.ReadMessage();
            while (!tt.AtEnd)
            {
                var (tf, tw) = tt.ReadKey();
                if (tf == 1 && tw == 0) v.ElemType = (OnnxDataType)tt.ReadInt64();
                else if (tf == 2 && tw == 2)
                {
                    v.Shape = new List<DimProto>();
                    var shape = tt.ReadMessage();
                    while (!shape.AtEnd)
                    {
                        var (sf, sw) = shape.ReadKey();
                        if (sf != 1 || sw != 2) { shape.Skip(sw); continue; }
                        var d = shape.ReadMessage();
                        long? value = null; string? param = null;
                        while (!d.AtEnd)
                        {
                            var (df, dw) = d.ReadKey();
                            if (df == 1 && dw == 0) value = d.ReadInt64();
                            else if (df == 2 && dw == 2) param = d.ReadString();
                            else d.Skip(dw);
                        }
                        v.Shape.Add(new DimProto(value, param));
                    }
                }
                else tt.Skip(tw);
            }
        }
    }
}
