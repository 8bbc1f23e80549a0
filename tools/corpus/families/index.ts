/** Every product family, in file order. Add a family: write its file and list it here. */
import { Family } from '../types';
import { BAGS, MEN_CLOTHING, SHOES, WOMEN_CLOTHING } from './apparel';
import { LARGE_APPLIANCE, SMALL_APPLIANCE } from './appliances';
import { COSMETICS, HEALTH, SKINCARE } from './beauty';
import { COMPUTER, DIGITAL_ACCESSORY, PHONE } from './electronics';
import { FRESH, SNACKS, TEA_DRINKS } from './food';
import { CLEANING, FURNITURE, HOME_TEXTILE, KITCHENWARE } from './home';
import { BABY, PETS, TOYS } from './kids-pets';
import { KITCHEN } from './kitchen';
import { BOOKS, CAR, JEWELLERY, SPORTS, STATIONERY, TOOLS } from './leisure';
import { MORE_SEEDS_A } from './more-seeds-a';
import { MORE_SEEDS_B } from './more-seeds-b';
import { MORE_SEEDS_C } from './more-seeds-c';

const BASE: Family[] = [
  KITCHEN,
  LARGE_APPLIANCE,
  SMALL_APPLIANCE,
  PHONE,
  COMPUTER,
  DIGITAL_ACCESSORY,
  WOMEN_CLOTHING,
  MEN_CLOTHING,
  SHOES,
  BAGS,
  SKINCARE,
  COSMETICS,
  HEALTH,
  SNACKS,
  FRESH,
  TEA_DRINKS,
  BABY,
  TOYS,
  PETS,
  HOME_TEXTILE,
  FURNITURE,
  KITCHENWARE,
  CLEANING,
  SPORTS,
  BOOKS,
  STATIONERY,
  JEWELLERY,
  CAR,
  TOOLS,
];

// Each family's seeds plus the extra hand-written lines kept in more-seeds-*.ts.
const MORE = new Map(Object.entries({ ...MORE_SEEDS_A, ...MORE_SEEDS_B, ...MORE_SEEDS_C }));
for (const id of MORE.keys()) if (!BASE.some((f) => f.id === id)) throw new Error(`more seeds for unknown family ${id}`);
export const FAMILIES: Family[] = BASE.map((f) => ({ ...f, seeds: [...f.seeds, ...(MORE.get(f.id) ?? [])] }));
