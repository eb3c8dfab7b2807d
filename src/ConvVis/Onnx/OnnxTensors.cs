using System.Runtime.InteropServices;
using ConvVis.Onnx.Proto;
using TorchSharp;
using static TorchSharp.torch;

namespace ConvVis.Onnx;

/// <summary>Turns ONNX TensorProtos into TorchSharp tensors: float types become float32, integer
/// and bool types int64 (ONNX uses them only for shapes, axes and indices in a CNN).</summary>
internal static class OnnxTensors
{
    public static Tensor ToTensor(TensorProto t, string what)
    {
        if (t.HasExternalData)
            throw new NotSupportedException($"{what} keeps its data in an external file, which the importer does not support; save the model with all tensors inside the .onnx file");
        long[] dims = t.Dims.ToArray();
        long count = 1;
        foreach (long d in dims)
        {
            if (d < 0) throw new InvalidDataException($"{what} has a negative dimension {d}");
            if (d > 0 && count > long.MaxValue / d)
                throw new InvalidDataException($"{what} declares dimensions [{string.Join(", ", dims)}], too many elements");
            count *= d;
        }
        switch (t.DataType)
        {
            case OnnxDataType.Float when t.HasRawData && BitConverter.IsLittleEndian:
                // The common case (all weights of a real model): one copy, straight into native memory.
                CheckBytes(t.RawData.Length, count, 4, what);
                var result = torch.empty(dims, ScalarType.Float32);
                if (count > 0) t.RawData.Span.CopyTo(result.bytes);
                return result;
            case OnnxDataType.Float when !t.HasRawData && t.FloatData.Count > 0:
                Check(t.FloatData.Count, count, what);
                var typed = torch.empty(dims, ScalarType.Float32);
                MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(t.FloatData)).CopyTo(typed.bytes);
                return typed;
            case OnnxDataType.Float:
            case OnnxDataType.Double:
            case OnnxDataType.Float16:
                return torch.tensor(Floats(t, count, what), dims);
            case OnnxDataType.Int64:
            case OnnxDataType.Int32:
            case OnnxDataType.Int16:
            case OnnxDataType.Int8:
            case OnnxDataType.UInt8:
            case OnnxDataType.UInt16:
            case OnnxDataType.UInt32:
            case OnnxDataType.Bool:
                return torch.tensor(Longs(t, count, what), dims);
            default:
                throw new NotSupportedException($"{what} has element type {t.DataType}, which the importer does not support");
        }
    }

    private static float[] Floats(TensorProto t, long count, string what)
    {
        float[] result;
        if (t.HasRawData)
        {
            var raw = t.RawData.Span;
            int size = t.DataType switch { OnnxDataType.Float => 4, OnnxDataType.Double => 8, _ => 2 };
            CheckBytes(raw.Length, count, size, what);
            result = t.DataType switch
            {
                OnnxDataType.Float => MemoryMarshal.Cast<byte, float>(raw).ToArray(),
                OnnxDataType.Double => Array.ConvertAll(MemoryMarshal.Cast<byte, double>(raw).ToArray(), d => (float)d),
                _ => Array.ConvertAll(MemoryMarshal.Cast<byte, Half>(raw).ToArray(), h => (float)h),
            };
        }
        else if (t.DataType == OnnxDataType.Float)
            result = t.FloatData.ToArray();
        else if (t.DataType == OnnxDataType.Double)
            result = t.DoubleData.Select(d => (float)d).ToArray();
        else
            result = t.Int32Data.Select(bits => (float)BitConverter.UInt16BitsToHalf((ushort)bits)).ToArray();
        Check(result.Length, count, what);
        return result;
    }

    private static long[] Longs(TensorProto t, long count, string what)
    {
        long[] result;
        if (t.HasRawData)
        {
            var raw = t.RawData.Span;
            int size = t.DataType switch
            {
                OnnxDataType.Int64 => 8, OnnxDataType.Int32 or OnnxDataType.UInt32 => 4,
                OnnxDataType.Int16 or OnnxDataType.UInt16 => 2, _ => 1,
            };
            CheckBytes(raw.Length, count, size, what);
            result = t.DataType switch
            {
                OnnxDataType.Int64 => MemoryMarshal.Cast<byte, long>(raw).ToArray(),
                OnnxDataType.Int32 => Array.ConvertAll(MemoryMarshal.Cast<byte, int>(raw).ToArray(), v => (long)v),
                OnnxDataType.UInt32 => Array.ConvertAll(MemoryMarshal.Cast<byte, uint>(raw).ToArray(), v => (long)v),
                OnnxDataType.Int16 => Array.ConvertAll(MemoryMarshal.Cast<byte, short>(raw).ToArray(), v => (long)v),
                OnnxDataType.UInt16 => Array.ConvertAll(MemoryMarshal.Cast<byte, ushort>(raw).ToArray(), v => (long)v),
                OnnxDataType.Int8 => Array.ConvertAll(MemoryMarshal.Cast<byte, sbyte>(raw).ToArray(), v => (long)v),
                _ => Array.ConvertAll(raw.ToArray(), v => (long)v),
            };
        }
        else
            result = (t.DataType == OnnxDataType.Int64 ? t.Int64Data : t.Int32Data).ToArray();
        Check(result.Length, count, what);
        return result;
    }

    /// <summary>Raw data must hold exactly <paramref name="count"/> elements of <paramref name="size"/> bytes
    /// (compared by division: count · size overflows for absurd declared dimensions such as [2^62]).</summary>
    private static void CheckBytes(long actual, long count, int size, string what)
    {
        if (actual % size != 0 || actual / size != count)
            throw new InvalidDataException($"{what} holds {actual} bytes but its dimensions need {count} values of {size} bytes");
    }

    private static void Check(long actual, long expected, string what)
    {
        if (actual != expected)
            throw new InvalidDataException($"{what} holds {actual} (values or bytes) but its dimensions need {expected}");
    }
}
