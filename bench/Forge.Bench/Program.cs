Console.WriteLine("forge-bench: under construction");
