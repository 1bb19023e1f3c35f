import { describe, expect, it } from 'vitest';

import { finestRaster, regionInRaster } from '../../src/pipeline/render-photo.js';

const raster = (width: number, height: number, scale: number, offset: [number, number] = [0, 0]) => ({
  image: { width, height, data: new Uint8Array(width * height * 3) },
  scale,
  offset,
});

describe('render geometry', () => {
  it('maps a region into a raster, or says the raster does not hold it', () => {
    // Whole photo at half scale: original px × 0.5.
    expect(regionInRaster([100, 200, 300, 300], raster(2016, 1512, 0.5))).toEqual({
      left: 50,
      top: 100,
      width: 150,
      height: 150,
    });
    // A region raster at scale 1 whose top-left is (1000, 1000) in original px.
    const region = raster(400, 400, 1, [1000, 1000]);
    expect(regionInRaster([1100, 1100, 100, 100], region)).toEqual({
      left: 100,
      top: 100,
      width: 100,
      height: 100,
    });
    expect(regionInRaster([900, 1100, 100, 100], region)).toBeNull();
  });

  it('takes the finest raster that holds the crop, else the whole photo', () => {
    const whole = raster(1280, 960, 1280 / 4032);
    const fine = raster(400, 400, 1, [1000, 1000]);
    expect(finestRaster([1100, 1100, 100, 100], [whole, fine]).raster).toBe(fine);
    expect(finestRaster([100, 100, 100, 100], [whole, fine]).raster).toBe(whole);
  });
});
