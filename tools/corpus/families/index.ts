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

export const FAMILIES: Family[] = [
  KITCHEN, LARGE_APPLIANCE, SMALL_APPLIANCE, PHONE, COMPUTER, DIGITAL_ACCESSORY, WOMEN_CLOTHING, MEN_CLOTHING, SHOES, BAGS,
  SKINCARE, COSMETICS, HEALTH, SNACKS, FRESH, TEA_DRINKS, BABY, TOYS, PETS, HOME_TEXTILE, FURNITURE, KITCHENWARE, CLEANING,
  SPORTS, BOOKS, STATIONERY, JEWELLERY, CAR, TOOLS,
];
