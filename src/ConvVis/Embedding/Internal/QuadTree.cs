using System.Runtime.InteropServices;

namespace ConvVis.Embedding;

/// <summary>
/// A point-region quadtree over the 2-D map with each cell's point count and centre of mass: the Barnes-Hut
/// summary of the repulsive forces. Rebuilt each iteration: points are inserted into a tree of cells split in four,
/// then the non-empty cells are laid out once more, in depth-first preorder, as small records with the centre of mass
/// already divided out. A traversal then reads that array forwards: it steps to the next record to open a cell and
/// jumps to the record after the cell's subtree to summarise it, with no stack, no empty cells and no division.
/// </summary>
internal sealed class QuadTree
{
    /// <summary>Points closer than a cell this deep are kept together as one body (identical points would otherwise split forever).</summary>
    const int MaxDepth = 48;

    /// <summary>A cell while inserting: sums of its points, its first of four children (or -1), one of its points, and its record's index once laid out.</summary>
    [StructLayout(LayoutKind.Sequential)]
    struct Cell
    {
        public double SumX, SumY;
        public int Count, Child, Point, Preorder;
    }

    /// <summary>
    /// A non-empty cell as the traversal reads it (32 bytes, two to a cache line): centre of mass, squared width,
    /// point count, and the index of the record after its subtree (the next one for a leaf).
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    struct Node
    {
        public double X, Y, Width2;
        public int Count, Next;
    }

    Cell[] _cells = new Cell[64];
    int _cellCount;
    Node[] _nodes = new Node[64];
    int _nodeCount;
    int[] _order = [];
    /// <summary>Each point's leaf while inserting: a cell index, then (in <see cref="SortPoints"/>) a preorder index.</summary>
    int[] _leafOf = [];
    int[] _leafStart = [];
    double[] _xy = [];
    double _rootX, _rootY, _rootHalf;

    /// <summary>
    /// The points in the order their leaves appear in the tree (a Z-order curve over the map, walked from the last quadrant), so that consecutive
    /// points are close and their traversals read the same records. Points sharing a leaf keep index order. Read only.
    /// </summary>
    public int[] Order => _order;

    /// <summary>Builds the tree over positions [x0, y0, x1, y1, ...].</summary>
    public void Build(double[] xy)
    {
        _xy = xy;
        int n = xy.Length / 2;
        double minX = double.PositiveInfinity, maxX = double.NegativeInfinity, minY = double.PositiveInfinity, maxY = double.NegativeInfinity;
        for (int i = 0; i < n; i++)
        {
            minX = Math.Min(minX, xy[2 * i]); maxX = Math.Max(maxX, xy[2 * i]);
            minY = Math.Min(minY, xy[2 * i + 1]); maxY = Math.Max(maxY, xy[2 * i + 1]);
        }
        double half = Math.Max(maxX - minX, maxY - minY) / 2;
        // A little larger than the points' box so that the largest point falls inside, never on the edge.
        _rootHalf = half * (1 + 1e-6) + 1e-12;
        _rootX = (minX + maxX) / 2;
        _rootY = (minY + maxY) / 2;
        _cellCount = 0;
        NewCell();
        if (_leafOf.Length != n) _leafOf = new int[n];
        // Inserting in the last build's order (a Z-order of the map one step ago) walks the cells of neighbouring points
        // one after the other, so the cells being filled stay in cache; the first build goes by index.
        if (_order.Length == n)
            foreach (int i in _order) Insert(i);
        else
            for (int i = 0; i < n; i++) Insert(i);
        _nodeCount = 0;
        if (_nodes.Length < _cellCount) _nodes = new Node[_cellCount];
        Lay(0, _rootHalf, 0);
        SortPoints(n);
    }

    int NewCell()
    {
        if (_cellCount == _cells.Length) Array.Resize(ref _cells, _cellCount * 2);
        int cell = _cellCount++;
        _cells[cell] = new Cell { Child = -1, Point = -1 };
        return cell;
    }

    static int Quadrant(double x, double y, double cx, double cy) => (x >= cx ? 1 : 0) + (y >= cy ? 2 : 0);

    /// <summary>The centre of quadrant <paramref name="q"/> of the cell centred at (cx, cy) with half-width 2h.</summary>
    static (double X, double Y) ChildCentre(int q, double cx, double cy, double h) =>
        ((q & 1) == 0 ? cx - h : cx + h, (q & 2) == 0 ? cy - h : cy + h);

    void Insert(int i)
    {
        double x = _xy[2 * i], y = _xy[2 * i + 1];
        double cx = _rootX, cy = _rootY, half = _rootHalf;
        int cell = 0;
        for (int depth = 0; ; depth++)
        {
            ref var c = ref _cells[cell];
            if (c.Child < 0)
            {
                if (c.Count == 0)
                {
                    c.Point = i; c.Count = 1; c.SumX = x; c.SumY = y;
                    _leafOf[i] = cell;
                    return;
                }
                int rep = c.Point;
                double px = _xy[2 * rep], py = _xy[2 * rep + 1];
                if ((px == x && py == y) || depth >= MaxDepth)
                {
                    c.Count++; c.SumX += x; c.SumY += y;
                    _leafOf[i] = cell;
                    return;
                }
                // Split the leaf and move its body (one point, or a group of identical ones) into the right child.
                int first = NewCell();
                NewCell(); NewCell(); NewCell();
                c = ref _cells[cell];
                c.Child = first;
                int to = first + Quadrant(px, py, cx, cy);
                ref var moved = ref _cells[to];
                moved.Count = c.Count; moved.SumX = c.SumX; moved.SumY = c.SumY; moved.Point = rep;
                // The other copies of rep, if any, still name this cell as their leaf: SortPoints walks them down.
                _leafOf[rep] = to;
                c.Point = -1;
            }
            c.Count++; c.SumX += x; c.SumY += y;
            int q = Quadrant(x, y, cx, cy);
            cell = c.Child + q;
            half /= 2;
            (cx, cy) = ChildCentre(q, cx, cy, half);
        }
    }

    /// <summary>
    /// Writes cell <paramref name="cell"/> and its non-empty descendants in preorder, children from the last quadrant
    /// to the first (the order in which a stack of the four children pops them), so sums come out in that order.
    /// </summary>
    void Lay(int cell, double half, int depth)
    {
        ref var c = ref _cells[cell];
        int node = _nodeCount++;
        c.Preorder = node;
        double w = 2 * half;
        _nodes[node] = new Node { X = c.SumX / c.Count, Y = c.SumY / c.Count, Width2 = w * w, Count = c.Count };
        int first = c.Child;
        if (first >= 0)
        {
            for (int q = 3; q >= 0; q--)
                if (_cells[first + q].Count > 0) Lay(first + q, half / 2, depth + 1);
        }
        else if (depth < MaxDepth)
        {
            // A leaf above the depth limit holds one point or copies of one: its centre is that point exactly (a sum of
            // copies divided by their count can miss it by an ulp), so a member finds itself at distance 0 and leaves itself out.
            _nodes[node].X = _xy[2 * c.Point];
            _nodes[node].Y = _xy[2 * c.Point + 1];
        }
        _nodes[node].Next = _nodeCount;
    }

    /// <summary>Fills <see cref="Order"/>: a counting sort of the points by the preorder index of their leaf.</summary>
    void SortPoints(int n)
    {
        if (_order.Length != n) _order = new int[n];
        if (_leafStart.Length < _nodeCount + 1) _leafStart = new int[_cells.Length + 1];
        var start = _leafStart;
        Array.Clear(start, 0, _nodeCount + 1);
        for (int i = 0; i < n; i++)
        {
            int cell = _leafOf[i];
            // A copy of a point whose group was moved down by a later split: find its leaf from the root.
            if (_cells[cell].Child >= 0) cell = Descend(i);
            int leaf = _cells[cell].Preorder;
            _leafOf[i] = leaf;
            start[leaf + 1]++;
        }
        for (int v = 0; v < _nodeCount; v++) start[v + 1] += start[v];
        for (int i = 0; i < n; i++) _order[start[_leafOf[i]]++] = i;
    }

    int Descend(int i)
    {
        double x = _xy[2 * i], y = _xy[2 * i + 1], cx = _rootX, cy = _rootY, half = _rootHalf;
        int cell = 0;
        while (_cells[cell].Child >= 0)
        {
            int q = Quadrant(x, y, cx, cy);
            cell = _cells[cell].Child + q;
            half /= 2;
            (cx, cy) = ChildCentre(q, cx, cy, half);
        }
        return cell;
    }

    /// <summary>
    /// The repulsion on point <paramref name="i"/>: sum over other points j of q_ij² (y_i - y_j) and of q_ij, with
    /// q = 1 / (1 + d²), where a cell of width w at distance d from its centre of mass counts as one body when w² &lt; theta² d².
    /// </summary>
    public (double Fx, double Fy, double SumQ) Repulsion(int i, double theta)
    {
        double x = _xy[2 * i], y = _xy[2 * i + 1], theta2 = theta * theta;
        double fx = 0, fy = 0, sumQ = 0;
        var nodes = _nodes;
        int end = _nodeCount;
        int node = 0;
        while (node < end)
        {
            ref readonly var v = ref nodes[node];
            double dx = x - v.X, dy = y - v.Y, d2 = dx * dx + dy * dy;
            bool leaf = v.Next == node + 1;
            if (leaf || v.Width2 < theta2 * d2)
            {
                int c = v.Count;
                // A leaf at distance 0 holds point i (alone, or with copies of it): every other member is at distance 0.
                if (leaf && d2 == 0) c--;
                double q = 1 / (1 + d2);
                sumQ += c * q;
                double m = c * q * q;
                fx += m * dx; fy += m * dy;
                node = v.Next;
            }
            else node++;
        }
        return (fx, fy, sumQ);
    }
}
