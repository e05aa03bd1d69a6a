Console.WriteLine("forge: under construction");
