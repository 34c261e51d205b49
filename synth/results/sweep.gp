set terminal svg size 1100,560 dynamic font 'sans,11'
set output 'sweep.svg'
set datafile separator ','
set title 'FleXOR decryptor cost vs weight memory saved (MLP + LeNet-5 FleXOR layers, q = 1)'
set xlabel 'SRAM area saved by encryption [µm², 6T cell 0.346 µm²]'
set ylabel 'decryptor area in the engine [µm², NAND2 = 0.798 µm²]'
set logscale y
set key outside right
set grid
sel(t,l,v) = (column(6)==t && column(7)==l && strcol(8) eq v)
plot \
  'sweep.csv' every ::1 using (sel(2,16,'hardwired') ? $22 : 1/0):23 with points pt 5 ps 1.3 title 'hardwired, N_{tap} 2, 16 lanes', \
  'sweep.csv' every ::1 using (sel(2,16,'hardwired') ? $22 : 1/0):23:(sprintf('%d/20', $3)) with labels offset 0,1 notitle, \
  'sweep.csv' every ::1 using (sel(2,8,'hardwired') ? $22 : 1/0):23 with points pt 5 ps 1.3 title 'hardwired, N_{tap} 2, 8 lanes', \
  'sweep.csv' every ::1 using (sel(3,16,'hardwired') ? $22 : 1/0):23 with points pt 6 ps 1.3 title 'hardwired, N_{tap} 3, 16 lanes', \
  'sweep.csv' every ::1 using (sel(3,8,'hardwired') ? $22 : 1/0):23 with points pt 6 ps 1.3 title 'hardwired, N_{tap} 3, 8 lanes', \
  'sweep.csv' every ::1 using (sel(2,16,'programmable') ? $22 : 1/0):23 with points pt 7 ps 1.3 title 'programmable, N_{tap} 2, 16 lanes', \
  'sweep.csv' every ::1 using (sel(2,8,'programmable') ? $22 : 1/0):23 with points pt 7 ps 1.3 title 'programmable, N_{tap} 2, 8 lanes', \
  'sweep.csv' every ::1 using (sel(3,16,'programmable') ? $22 : 1/0):23 with points pt 8 ps 1.3 title 'programmable, N_{tap} 3, 16 lanes', \
  'sweep.csv' every ::1 using (sel(3,8,'programmable') ? $22 : 1/0):23 with points pt 8 ps 1.3 title 'programmable, N_{tap} 3, 8 lanes', \
  (x > 0 ? x : 1/0) with lines dt 2 lc rgb 'gray40' title 'decryptor area = SRAM area saved'
