using System.Buffers.Binary;
using System.Text;
using ConvVis.Onnx.Proto;

namespace ConvVis.Tests.Onnx;

/// <summary>
/// Writes the protobuf wire format. The tests (and the ONNX load benchmark) build small ONNX files with it; messages
/// are written to a nested buffer first so their length is known. The importer itself only reads (ProtoReader).
/// </summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _out = new();

    public byte[] ToArray() => _out.ToArray();

    public void Varint(ulong v)
    {
        while (v >= 0x80)
        {
            _out.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }
        _out.WriteByte((byte)v);
    }

    private void Key(int field, int wire) => Varint(((ulong)field << 3) | (uint)wire);

    public void Int64(int field, long v) { Key(field, 0); Varint((ulong)v); }

    public void Float(int field, float v)
    {
        Key(field, 5);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, v);
        _out.Write(b);
    }

    public void Bytes(int field, ReadOnlySpan<byte> v)
    {
        Key(field, 2);
        Varint((ulong)v.Length);
        _out.Write(v);
    }

    public void String(int field, string? v)
    {
        if (v is not null) Bytes(field, Encoding.UTF8.GetBytes(v));
    }

    public void Message(int field, Action<ProtoWriter> body)
    {
        var inner = new ProtoWriter();
        body(inner);
        Bytes(field, inner._out.GetBuffer().AsSpan(0, (int)inner._out.Length));
    }

    public void PackedInt64s(int field, IReadOnlyCollection<long> v)
    {
        if (v.Count == 0) return;
        var inner = new ProtoWriter();
        foreach (long x in v) inner.Varint((ulong)x);
        Bytes(field, inner.ToArray());
    }

    public void PackedFloats(int field, IReadOnlyCollection<float> v)
    {
        if (v.Count == 0) return;
        var bytes = new byte[v.Count * 4];
        int i = 0;
        foreach (float x in v) { BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i), x); i += 4; }
        Bytes(field, bytes);
    }
}

/// <summary>Writes the ONNX messages that the importer parses (the same fields, so a written file reads back the same).</summary>
internal static class OnnxProtoWriting
{
    public static void Write(this ModelProto m, ProtoWriter w)
    {
        w.Int64(1, m.IrVersion);
        w.String(2, m.ProducerName);
        w.String(3, m.ProducerVersion);
        w.Message(7, m.Graph.Write);
        foreach (var (domain, version) in m.OpsetImport)
            w.Message(8, o => { o.String(1, domain); o.Int64(2, version); });
    }

    public static void Write(this GraphProto g, ProtoWriter w)
    {
        foreach (var n in g.Nodes) w.Message(1, n.Write);
        w.String(2, g.Name);
        foreach (var t in g.Initializers) w.Message(5, t.Write);
        foreach (var v in g.Inputs) w.Message(11, v.Write);
        foreach (var v in g.Outputs) w.Message(12, v.Write);
        foreach (var v in g.ValueInfo) w.Message(13, v.Write);
    }

    public static void Write(this NodeProto n, ProtoWriter w)
    {
        foreach (var i in n.Inputs) w.String(1, i);
        foreach (var o in n.Outputs) w.String(2, o);
        w.String(3, n.Name);
        w.String(4, n.OpType);
        foreach (var a in n.Attributes) w.Message(5, a.Write);
        if (n.Domain.Length > 0) w.String(7, n.Domain);
    }

    public static void Write(this AttributeProto a, ProtoWriter w)
    {
        w.String(1, a.Name);
        switch (a.Type)
        {
            case OnnxAttributeType.Float: w.Float(2, a.F); break;
            case OnnxAttributeType.Int: w.Int64(3, a.I); break;
            case OnnxAttributeType.String: w.Bytes(4, a.S); break;
            case OnnxAttributeType.Tensor: w.Message(5, a.T!.Write); break;
            case OnnxAttributeType.Floats: w.PackedFloats(7, a.Floats); break;
            case OnnxAttributeType.Ints: w.PackedInt64s(8, a.Ints); break;
        }
        w.Int64(20, (long)a.Type);
    }

    public static void Write(this TensorProto t, ProtoWriter w)
    {
        w.PackedInt64s(1, t.Dims);
        w.Int64(2, (long)t.DataType);
        w.PackedFloats(4, t.FloatData);
        w.PackedInt64s(5, t.Int32Data);
        w.PackedInt64s(7, t.Int64Data);
        w.String(8, t.Name);
        if (t.HasRawData) w.Bytes(9, t.RawData.Span);
    }

    public static void Write(this ValueInfoProto v, ProtoWriter w)
    {
        w.String(1, v.Name);
        w.Message(2, t => t.Message(1, tt =>
        {
            tt.Int64(1, (long)v.ElemType);
            if (v.Shape is not null)
                tt.Message(2, s =>
                {
                    foreach (var d in v.Shape)
                        s.Message(1, dm =>
                        {
                            if (d.Value is long val) dm.Int64(1, val);
                            else if (d.Param is not null) dm.String(2, d.Param);
                        });
                });
        }));
    }
}
