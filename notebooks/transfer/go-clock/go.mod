module sizedrop/clock

go 1.27
