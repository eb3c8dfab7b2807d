using System.Buffers.Binary;
using System.Text;

namespace ConvVis.Onnx.Proto;

/// <summary>
/// Reads the protobuf wire format (varints, fixed 32/64-bit, length-delimited fields) from memory
/// without copying: sub-messages and byte fields are slices of the original buffer, which matters
/// for a 63 MB model whose weights sit in <c>raw_data</c>. Every malformed read throws
/// <see cref="InvalidDataException"/> with the byte offset, so corrupt and truncated files fail clearly.
/// </summary>
internal sealed class ProtoReader
{
    private readonly ReadOnlyMemory<byte> _data;
    private readonly int _base;
    private int _pos;

    public ProtoReader(ReadOnlyMemory<byte> data, int baseOffset = 0)
    {
        _data = data;
        _base = baseOffset;
    }

    public bool AtEnd => _pos >= _data.Length;

    /// <summary>Offset of the next byte in the whole file (for error messages).</summary>
    public int Offset => _base + _pos;

    /// <summary>Reads a field key: (field number, wire type).</summary>
    public (int Field, int WireType) ReadKey()
    {
        ulong key = ReadVarint();
        int field = (int)(key >> 3);
        if (field <= 0 || key >> 3 > int.MaxValue)
            throw Corrupt($"invalid field number {key >> 3}");
        return (field, (int)(key & 7));
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        var span = _data.Span;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (_pos >= span.Length)
                throw Truncated("a varint");
            byte b = span[_pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
                return result;
        }
        throw Corrupt("a varint longer than 10 bytes");
    }

    public long ReadInt64() => (long)ReadVarint();

    public float ReadFloat() => BitConverter.Int32BitsToSingle((int)ReadFixed32());

    public uint ReadFixed32()
    {
        var s = Take(4, "a 32-bit value");
        return BinaryPrimitives.ReadUInt32LittleEndian(s.Span);
    }

    public ulong ReadFixed64()
    {
        var s = Take(8, "a 64-bit value");
        return BinaryPrimitives.ReadUInt64LittleEndian(s.Span);
    }

    /// <summary>Reads a length-delimited field as a slice of the buffer.</summary>
    public ReadOnlyMemory<byte> ReadBytes()
    {
        ulong len = ReadVarint();
        if (len > (ulong)(_data.Length - _pos))
            throw Truncated($"a field of {len} bytes (only {_data.Length - _pos} left)");
        return Take((int)len, "bytes");
    }

    /// <summary>Reads a length-delimited sub-message and returns a reader over it.</summary>
    public ProtoReader ReadMessage()
    {
        ulong len = ReadVarint();
        if (len > (ulong)(_data.Length - _pos))
            throw Truncated($"a message of {len} bytes (only {_data.Length - _pos} left)");
        int at = _base + _pos;
        return new ProtoReader(Take((int)len, "message"), at);
    }

    public string ReadString()
    {
        var bytes = ReadBytes();
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes.Span);
        }
        catch (DecoderFallbackException)
        {
            throw Corrupt("a string that is not valid UTF-8");
        }
    }

    /// <summary>Reads a repeated int64 field, packed or not, appending to <paramref name="into"/>.</summary>
    public void ReadInt64s(int wireType, List<long> into)
    {
        if (wireType == 2)
        {
            var r = ReadMessage();
            while (!r.AtEnd) into.Add(r.ReadInt64());
        }
        else if (wireType == 0) into.Add(ReadInt64());
        else throw Corrupt($"wire type {wireType} for an integer field");
    }

    /// <summary>Reads a repeated float field, packed or not.</summary>
    public void ReadFloats(int wireType, List<float> into)
    {
        if (wireType == 2)
        {
            var bytes = ReadBytes();
            if (bytes.Length % 4 != 0) throw Corrupt("a packed float field whose length is not a multiple of 4");
            if (BitConverter.IsLittleEndian)
                into.AddRange(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes.Span));   // sized once: weights can be large
            else
                for (int i = 0; i < bytes.Length; i += 4)
                    into.Add(BinaryPrimitives.ReadSingleLittleEndian(bytes.Span.Slice(i, 4)));
        }
        else if (wireType == 5) into.Add(ReadFloat());
        else throw Corrupt($"wire type {wireType} for a float field");
    }

    /// <summary>Reads a repeated double field, packed or not.</summary>
    public void ReadDoubles(int wireType, List<double> into)
    {
        if (wireType == 2)
        {
            var bytes = ReadBytes();
            if (bytes.Length % 8 != 0) throw Corrupt("a packed double field whose length is not a multiple of 8");
            for (int i = 0; i < bytes.Length; i += 8)
                into.Add(BinaryPrimitives.ReadDoubleLittleEndian(bytes.Span.Slice(i, 8)));
        }
        else if (wireType == 1) into.Add(BitConverter.Int64BitsToDouble((long)ReadFixed64()));
        else throw Corrupt($"wire type {wireType} for a double field");
    }

    /// <summary>Skips a field of an unknown number (forward compatibility).</summary>
    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case 0: ReadVarint(); break;
            case 1: Take(8, "a 64-bit value"); break;
            case 2: ReadBytes(); break;
            case 5: Take(4, "a 32-bit value"); break;
            default: throw Corrupt($"unsupported wire type {wireType}");
        }
    }

    /// <summary>Throws unless the wire type is the one the schema says.</summary>
    public void Expect(int wireType, int expected, string what)
    {
        if (wireType != expected)
            throw Corrupt($"{what} has wire type {wireType}, expected {expected}");
    }

    private ReadOnlyMemory<byte> Take(int n, string what)
    {
        if (n > _data.Length - _pos)
            throw Truncated(what);
        var s = _data.Slice(_pos, n);
        _pos += n;
        return s;
    }

    public InvalidDataException Corrupt(string what) =>
        new($"corrupt protobuf at byte {Offset}: {what}");

    private InvalidDataException Truncated(string what) =>
        new($"truncated protobuf at byte {Offset}: the data ends inside {what}");
}
