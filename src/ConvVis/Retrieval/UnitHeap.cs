namespace ConvVis.Retrieval;

/// <summary>One candidate of a unit: its value, data-set index and the location of its maximum.</summary>
internal readonly record struct Candidate(float Value, long Index, int Y, int X);

/// <summary>
/// The k best candidates of one unit so far: a min-heap whose root is the worst kept one (lowest value; among equal
/// values the highest index), so a new candidate costs one comparison unless it enters.
/// </summary>
internal sealed class UnitHeap(int k)
{
    readonly PriorityQueue<Candidate, Candidate> _heap = new(k + 1, Worse.Instance);

    /// <summary>Whether a candidate with this value and index would be kept.</summary>
    public bool Admits(float value, long index)
    {
        if (float.IsNaN(value)) return false;
        if (_heap.Count < k) return true;
        var worst = _heap.Peek();
        return value > worst.Value || (value == worst.Value && index < worst.Index);
    }

    /// <summary>Adds a candidate that <see cref="Admits"/>; returns the one it pushed out, if any.</summary>
    public Candidate? Add(Candidate c)
    {
        if (_heap.Count < k) { _heap.Enqueue(c, c); return null; }
        return _heap.EnqueueDequeue(c, c);
    }

    public IEnumerable<Candidate> Items => _heap.UnorderedItems.Select(e => e.Element);

    /// <summary>Best first: value descending, then index ascending.</summary>
    public Candidate[] Sorted() => Items.OrderByDescending(c => c.Value).ThenBy(c => c.Index).ToArray();

    sealed class Worse : IComparer<Candidate>
    {
        public static readonly Worse Instance = new();

        public int Compare(Candidate a, Candidate b)
        {
            int byValue = a.Value.CompareTo(b.Value);
            return byValue != 0 ? byValue : b.Index.CompareTo(a.Index);
        }
    }
}
